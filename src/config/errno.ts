/*
 * strerror(3) texts (glibc) for the errors Node reports by code, so that messages Redis builds
 * from strerror (CONFIG SET dir, CONFIG REWRITE, unreadable config files) read the same.
 */

const GLIBC_MESSAGES: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  EMFILE: 'Too many open files',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EDQUOT: 'Disk quota exceeded',
};

export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return (code !== undefined && GLIBC_MESSAGES[code]) || (err instanceof Error ? err.message : String(err));
}
