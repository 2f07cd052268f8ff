package com.deliverychannels.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Our relay (the SES SMTP interface in AWS) as a real SMTP server in the test JVM: STARTTLS required and
 * AUTH with the relay's credentials, the standard {@code quarkus.mailer.*} keys pointed at it. Tests read
 * what it received through {@link #relay()}.
 */
public class MscRelayResource implements QuarkusTestResourceLifecycleManager {
    public static final String USERNAME = "ses-smtp-user";
    public static final String PASSWORD = "ses-smtp-password";
    private static TestSmtpServer relay;

    @Override
    public synchronized Map<String, String> start() {
        if (relay == null) {
            relay = TestSmtpServer.startTls(USERNAME, PASSWORD);
        }
        return Map.of(
                "quarkus.mailer.host", relay.host(),
                "quarkus.mailer.port", Integer.toString(relay.port()),
                "quarkus.mailer.username", USERNAME,
                "quarkus.mailer.password", PASSWORD,
                "quarkus.mailer.start-tls", "REQUIRED",
                "quarkus.mailer.tls", "false",
                "quarkus.mailer.login", "REQUIRED");
    }

    @Override
    public void stop() {
        // Shared by every Quarkus restart in the test JVM, like the table.
    }

    /** The relay every MSC send of the tests goes to. */
    public static TestSmtpServer relay() {
        return relay;
    }
}
