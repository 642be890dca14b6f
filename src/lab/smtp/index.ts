/** The lab's SMTP side: a real SMTP server and the Mailguard front that rewrites it as a PIX/ASA does. */
export {
  type ReceivedMessage,
  type SmtpBackend,
  type SmtpBackendFlavor,
  type SmtpBackendOptions,
  startSmtpBackend,
} from './backend.js';
export {
  type DropReason,
  inspectionApplies,
  type MailguardEvent,
  type MailguardFront,
  type MailguardFrontOptions,
  startMailguardFront,
} from './front.js';
export {
  ASA_EHLO_KEYWORDS,
  ASA_ESMTP_VERBS,
  ASA_MAX_COMMAND_LINE,
  ASA_MAX_HEADER_LINE,
  ASA_MAX_RCPT,
  ASA_MAX_SENDER_ADDRESS,
  type ClientLineAction,
  commandVerb,
  ehloKeywordAllowed,
  maskEhloReply,
  maskGreeting,
  PIX4_DEFAULT_OK_REPLY,
  type RewritePolicy,
  RFC821_VERBS,
  rewriteClientLine,
  senderAddress,
  splitTerminator,
} from './rewrite.js';
export { type DeviceSmtp, type DeviceSmtpOptions, startDeviceSmtp } from './smtp-lab.js';
