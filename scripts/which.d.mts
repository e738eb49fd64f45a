export function which(cmd: string, options?: { also?: string[]; env?: NodeJS.ProcessEnv }): string | undefined;
