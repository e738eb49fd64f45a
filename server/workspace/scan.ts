// The workspace's source files: runtime/hosts/files.ts walks them, with the same rules as `djx lint`.
export { sourceFiles } from '../../runtime/hosts/files';
