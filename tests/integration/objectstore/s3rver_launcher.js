// Runs s3rver's command line in this process, and exits once the test that started it is
// gone: a test that crashes never leaves a server behind.
//   node s3rver_launcher.js TEST_PID PATH/TO/s3rver/bin/s3rver.js [s3rver options...]
// TEST_PID is given, not read at startup, so a test that dies while node starts is noticed too.
'use strict';
const parent = Number(process.argv[2]);
const exitWithParent = () => {
  if (process.ppid !== parent) process.exit(0);
};
exitWithParent();
setInterval(exitWithParent, 500).unref();
const cli = process.argv[3];
process.argv = [process.argv[0], cli, ...process.argv.slice(4)];
require(cli);
