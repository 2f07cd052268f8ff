package com.deliverychannels.channel;

/**
 * SMTP settings as a user sends them; every field unchecked. {@code password} may be null to keep the
 * stored one, and only when host and username are unchanged.
 */
public record SmtpSettingsChange(String host, Integer port, String security, String username, String password,
        String authMethod) {

    @Override
    public String toString() {
        return "SmtpSettingsChange[host=" + host + ", port=" + port + ", security=" + security + ", username="
                + username + ", authMethod=" + authMethod + "]";
    }
}
