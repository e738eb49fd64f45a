export declare const CODE_SERVER_VERSION: string;
export declare const cacheRoot: string;
export declare const installDir: string;
export declare const vscodeDir: string;
export declare const serverMain: string;
export declare function isPrepared(): boolean;
export interface PrepareResult {
  vscodeDir: string;
  serverMain: string;
  seconds: number;
  cached: boolean;
}
export declare function prepareOffline(options?: { force?: boolean; say?: (line: string) => void }): Promise<PrepareResult>;
