import { fillFilter } from '../../src/federation/connectors/ldap-filter.ts';

describe('an LDAP filter template filled with what a person typed', () => {
  test.each([
    ['alice', '(uid=alice)'],
    ['*', '(uid=\\2a)'],
    ['*)(uid=*', '(uid=\\2a\\29\\28uid=\\2a)'],
    ['admin)(|(password=*)', '(uid=admin\\29\\28|\\28password=\\2a\\29)'],
    ['back\\slash', '(uid=back\\5cslash)'],
    ['nul\u0000', '(uid=nul\\00)'],
    ['Ünïcode', '(uid=Ünïcode)'],
  ])('%j is one escaped assertion value', (typed, filter) => {
    expect(fillFilter('(uid={username})', { username: typed })).toBe(filter);
  });

  test('every placeholder is filled, and one the caller has no value for stays as written', () => {
    expect(fillFilter('(|(mail={email})(uid={username})(x={other}))', { email: 'a*', username: 'b(' })).toBe('(|(mail=a\\2a)(uid=b\\28)(x={other}))');
  });

  test('a value that looks like a placeholder is not filled again', () => {
    expect(fillFilter('(&(uid={username})(mail={email}))', { username: '{email}', email: 'x' })).toBe('(&(uid={email})(mail=x))');
  });
});
