// Whether a command a test needs from the machine image is installed.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether an executable `command` is in a folder of the PATH. */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((folder) => {
    try {
      accessSync(join(folder, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
