/**
 * Run `callback` in the first task after the next frame has been drawn: an animation frame runs
 * just before the frame is drawn, a task posted from it just after. For work a screen does not
 * need on its way to the screen (focus, reads ahead), which would otherwise compete with that
 * frame. Returns a cancel function (for an effect's cleanup).
 */
export function afterNextPaint(callback: () => void): () => void {
  let timer = 0;
  const frame = requestAnimationFrame(() => {
    timer = window.setTimeout(callback, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    window.clearTimeout(timer);
  };
}
