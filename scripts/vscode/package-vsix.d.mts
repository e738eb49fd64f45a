/** Builds the .vsix (production bundles, grammars, icons, manifest); returns its path. */
export declare function packageVsix(options?: { out?: string; say?: (line: string) => void }): Promise<string>;
