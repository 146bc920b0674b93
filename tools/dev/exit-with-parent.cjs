// Preloaded into every service `npm start` runs (node --require): the supervisor holds an IPC channel
// to each child, and the channel closes when the supervisor goes, even when it is SIGKILLed. The child
// then drains and exits as on SIGTERM, so no service outlives its supervisor.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
