import { join } from 'node:path';

// runc's rule: letters, digits and _ + - . ; "." and ".." would name the root or its parent.
const VALID_ID = /^[A-Za-z0-9_+.-]+$/;
// The id names the state dir and the default cgroup dir: one path component (NAME_MAX).
const MAX_ID_LENGTH = 255;

export class InvalidIdError extends Error {}

export function validateContainerId(id: string | undefined): string {
  if (id === undefined || id === '') throw new InvalidIdError('container id cannot be empty');
  if (id.length > MAX_ID_LENGTH) throw new InvalidIdError(`invalid container id: longer than ${MAX_ID_LENGTH} characters`);
  if (!VALID_ID.test(id) || id === '.' || id === '..') {
    throw new InvalidIdError(`invalid container id ${JSON.stringify(id)}: only letters, digits and _ + - . are allowed`);
  }
  return id;
}

export function isValidContainerId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && VALID_ID.test(id) && id !== '.' && id !== '..';
}

export function containerDir(root: string, id: string): string {
  return join(root, validateContainerId(id));
}
