package com.deliverychannels.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * smtp.gmail.com as a real SMTP server in the test JVM ({@link TestSmtpServer#gmailLike}): STARTTLS required,
 * SASL XOAUTH2 accepting only {@link #ADDRESS} with the access token {@link #ACCEPTED_ACCESS_TOKEN}, and the
 * {@code gmail.smtp-*} keys pointed at it. For a test profile's {@code testResources()}: the server's port is
 * known only once it has started, after the profile's own overrides are fixed.
 */
public class GmailSmtpResource implements QuarkusTestResourceLifecycleManager {
    /** The connected account: the only user the server lets in. */
    public static final String ADDRESS = "alice.martin@gmail.com";
    /** The access token the server accepts for {@link #ADDRESS}; any other is refused as Gmail refuses it. */
    public static final String ACCEPTED_ACCESS_TOKEN = "ya29.a0-accepted-access-token";
    private static TestSmtpServer server;

    @Override
    public synchronized Map<String, String> start() {
        if (server == null) {
            server = TestSmtpServer.gmailLike(ADDRESS, ACCEPTED_ACCESS_TOKEN);
        }
        return Map.of(
                "gmail.smtp-host", server.host(),
                "gmail.smtp-port", Integer.toString(server.port()),
                "gmail.smtp-security", "STARTTLS");
    }

    @Override
    public void stop() {
        // Kept for the whole test JVM, like the table: a later restart with the same profile reuses it.
    }

    /** The server the GMAIL channel sends to in these tests. */
    public static TestSmtpServer server() {
        return server;
    }
}
