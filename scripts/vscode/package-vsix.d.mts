/** Builds the .vsix (production bundles, type declarations, grammars, icons, walkthrough, user README, manifest); returns its path. */
export declare const USER_README: string;
export declare function packageVsix(options?: { out?: string; say?: (line: string) => void }): Promise<string>;
