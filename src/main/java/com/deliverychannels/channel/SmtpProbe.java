package com.deliverychannels.channel;

/** Checks SMTP settings against the real server: connect, upgrade, authenticate, quit. Sends nothing. */
public interface SmtpProbe {

    /**
     * Runs the conversation up to authentication and reports where it stopped.
     *
     * @param password the plain password, used for this conversation only and never logged
     */
    SmtpVerification probe(SmtpEndpoint endpoint, String username, String password, SmtpAuthMethod method);
}
