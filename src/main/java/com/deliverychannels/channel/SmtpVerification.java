package com.deliverychannels.channel;

/**
 * The result of a verification: the stage reached or failed at, the text key that explains it, and the
 * server's own reply where it gave one (never the credentials).
 */
public record SmtpVerification(boolean ok, SmtpStage stage, String messageKey, String serverReply) {

    public static SmtpVerification passed() {
        return new SmtpVerification(true, SmtpStage.DONE, "verify.done", null);
    }

    public static SmtpVerification failed(SmtpStage stage, String messageKey, String serverReply) {
        return new SmtpVerification(false, stage, messageKey, serverReply);
    }

    /** Whether the server refused the credentials themselves (not the mechanism or the connection). */
    public boolean credentialsRefused() {
        return !ok && stage == SmtpStage.AUTH && "verify.auth.refused".equals(messageKey);
    }
}
