package com.deliverychannels.mail;

import com.deliverychannels.channel.SmtpSecurity;

/**
 * A server to hand a message to, with how to sign in.
 *
 * @param authMethod  {@code PLAIN}, {@code LOGIN} or {@code XOAUTH2}
 * @param secret      the password, or the OAuth2 access token for XOAUTH2; never logged
 * @param ownHostname the EHLO name and the domain of generated {@code Message-ID}s
 */
record SmtpTarget(String host, int port, SmtpSecurity security, String username, String secret, String authMethod,
        String ownHostname) {

    @Override
    public String toString() {
        return "SmtpTarget[" + host + ":" + port + " " + security + " " + authMethod + " as " + username + "]";
    }
}
