export declare const testsOutDir: string;
export declare const testsIndex: string;
export declare const benchIndex: string;
/** Bundles the suites; returns the path of the compiled index for extensionTestsPath. */
export declare function buildExtensionTests(): Promise<string>;
