/** One device's SMTP side in one call: the real server plus the Mailguard front before it. */
import { type SmtpBackend, type SmtpBackendFlavor, startSmtpBackend } from './backend.js';
import { type MailguardFront, type MailguardFrontOptions, startMailguardFront } from './front.js';

export interface DeviceSmtpOptions extends Omit<MailguardFrontOptions, 'backend'> {
  flavor?: SmtpBackendFlavor;
  /** Mail server name in its greeting. Default `mail.example.com`. */
  mailHostname?: string;
  /** Port of the bare SMTP server (0 = any). */
  backendPort?: number;
  starttls?: boolean;
}

export interface DeviceSmtp {
  backend: SmtpBackend;
  front: MailguardFront;
  close(): Promise<void>;
}

/** Starts the backend, then the front before it; if the front fails the backend is closed again. */
export async function startDeviceSmtp(opts: DeviceSmtpOptions): Promise<DeviceSmtp> {
  const { flavor, mailHostname, backendPort, starttls, ...frontOpts } = opts;
  const backend = await startSmtpBackend({
    flavor: flavor ?? 'postfix',
    hostname: mailHostname,
    host: frontOpts.host,
    port: backendPort,
    starttls,
  });
  let front: MailguardFront;
  try {
    front = await startMailguardFront({ ...frontOpts, backend: backend.endpoint });
  } catch (err) {
    await backend.close();
    throw err;
  }
  return {
    backend,
    front,
    close: async () => {
      await front.close();
      await backend.close();
    },
  };
}
