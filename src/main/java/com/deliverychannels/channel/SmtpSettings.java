package com.deliverychannels.channel;

import java.time.Instant;

/**
 * A user's own SMTP server. The password is kept only sealed.
 *
 * @param sealedPassword the password as {@link com.deliverychannels.crypto.CredentialSealer} sealed it
 */
public record SmtpSettings(String host, int port, SmtpSecurity security, String username, String sealedPassword,
        SmtpAuthMethod authMethod, SmtpStatus status, Instant updatedAt) {

    public SmtpSettings withStatus(SmtpStatus next, Instant at) {
        return new SmtpSettings(host, port, security, username, sealedPassword, authMethod, next, at);
    }

    /** Hides the sealed password from any accidental log line. */
    @Override
    public String toString() {
        return "SmtpSettings[host=" + host + ", port=" + port + ", security=" + security + ", username=" + username
                + ", authMethod=" + authMethod + ", status=" + status + ", updatedAt=" + updatedAt + "]";
    }
}
