// Plain JavaScript that any Node since 12 can run, loaded before any TypeScript: on an older
// Node, Keyline says in one line which version it needs and which command to use.
export const REQUIRED_NODE = '22.18.0';

function parts(version) {
  return String(version).replace(/^v/, '').split('.').map(function (part) { return Number.parseInt(part, 10) || 0; });
}

/** The one-line problem with running on `version`, or undefined when it is new enough. */
export function nodeVersionProblem(version, command) {
  var have = parts(version);
  var need = parts(REQUIRED_NODE);
  for (var index = 0; index < need.length; index += 1) {
    if ((have[index] || 0) > need[index]) return undefined;
    if ((have[index] || 0) < need[index]) {
      return 'keyline: needs Node.js ' + REQUIRED_NODE + ' or newer, this is ' + String(version).replace(/^v/, '')
        + '; run `npm install` once, then use `' + command + '` (it runs the Node 24 that npm install brings)';
    }
  }
  return undefined;
}

/** Exits with that line when the running Node is too old. */
export function requireNode(command) {
  var problem = nodeVersionProblem(process.versions.node, command);
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
}
