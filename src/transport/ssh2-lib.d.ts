// The two ssh2 files src/transport/ssh.ts loads instead of ssh2's index (see there), typed as that index types them.
declare module 'ssh2/lib/client.js' {
  import type { Client } from 'ssh2';

  const SshClient: typeof Client;
  export default SshClient;
}

declare module 'ssh2/lib/protocol/keyParser.js' {
  import type { utils } from 'ssh2';

  const keyParser: { parseKey: typeof utils.parseKey };
  export default keyParser;
}
