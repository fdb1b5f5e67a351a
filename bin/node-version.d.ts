export declare const REQUIRED_NODE: string;
export declare function nodeVersionProblem(version: string, command: string): string | undefined;
export declare function requireNode(command: string): void;
