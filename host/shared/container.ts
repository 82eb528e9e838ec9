/**
 * importResult places the result in the sequence/comp the frames were captured from. Another one may be active by
 * the time the user presses Import (they switched tabs); placing it there would put the result over an unrelated
 * clip, so the host refuses and says which one to open.
 */
import { fail } from './errors';

export function requireCapturedContainer(
  active: { id: string; name: string },
  captured: { containerId: string; containerName: string },
  kind: 'sequence' | 'composition',
): void {
  if (active.id === captured.containerId) return;
  fail(
    'wrong-container',
    'The ' + kind + ' you captured from ("' + captured.containerName + '") is not active ("' + active.name +
      '" is): open "' + captured.containerName + '" and press Import again.',
  );
}
