package com.deliverychannels.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.auth.LoginAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.auth.MultipleAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.PlainAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.UsernamePasswordValidator;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An in-process SMTP server (SubEthaSMTP) on {@code 127.0.0.1} at a free port that records what it receives:
 * every message with its envelope and every authentication attempt. Its certificate is the test one in
 * {@code /tls/smtp-server.p12} ({@code CN=localhost}, SANs {@code localhost} and {@code 127.0.0.1}), which the
 * surefire trust store trusts.
 *
 * <pre>{@code
 * try (TestSmtpServer smtp = TestSmtpServer.startTls("alice", "secret")) {
 *     ... send to smtp.host():smtp.port() ...
 *     List<TestSmtpServer.ReceivedMessage> received = smtp.awaitMessages(1, Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class TestSmtpServer implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final String KEYSTORE = "/tls/smtp-server.p12";
    private static final char[] KEYSTORE_PASSWORD = "changeit".toCharArray();

    /** How the server protects the connection. */
    public enum Security {
        /** Plain text only; STARTTLS is not offered. */
        NONE,
        /** STARTTLS offered and required before AUTH and MAIL (RFC 3207); AUTH advertised only after it. */
        STARTTLS,
        /** TLS from the first byte (RFC 8314). */
        IMPLICIT_TLS
    }

    /** One message as the server received it. */
    public record ReceivedMessage(String envelopeFrom, List<String> recipients, byte[] raw) {

        /** The message parsed as MIME, for headers and body. */
        public MimeMessage mime() {
            try {
                return new MimeMessage(jakarta.mail.Session.getInstance(new Properties()),
                        new ByteArrayInputStream(raw));
            } catch (MessagingException e) {
                throw new IllegalStateException("the received message is not valid MIME", e);
            }
        }

        /** The first value of a header, unfolded, or {@code null} when the message has none. */
        public String header(String name) {
            try {
                return mime().getHeader(name, null);
            } catch (MessagingException e) {
                throw new IllegalStateException("the received message is not valid MIME", e);
            }
        }
    }

    /** One AUTH exchange that reached the credential check; the password is not kept. */
    public record AuthAttempt(String mechanism, String username, boolean succeeded) {
    }

    private final SMTPServer server;
    private final List<ReceivedMessage> messages = new CopyOnWriteArrayList<>();
    private final List<AuthAttempt> authAttempts = new CopyOnWriteArrayList<>();

    private TestSmtpServer(Builder builder) {
        SMTPServer.Builder smtp = SMTPServer.port(0)
                .bindAddress(loopback())
                .hostName("localhost")
                .softwareName("TestSmtpServer")
                .connectionTimeout(10, TimeUnit.SECONDS)
                .messageHandlerFactory(context -> new RecordingHandler());
        switch (builder.security) {
            case NONE -> { }
            case STARTTLS -> smtp.startTlsSocketFactory(serverSslContext()).requireTLS();
            case IMPLICIT_TLS -> smtp.serverSocketFactory(serverSslContext());
        }
        if (builder.username != null) {
            smtp.authenticationHandlerFactory(authentication(builder)).requireAuth();
        }
        this.server = smtp.build();
        server.start();
    }

    /** STARTTLS required before AUTH and MAIL; AUTH PLAIN and LOGIN accept only these credentials. */
    public static TestSmtpServer startTls(String username, String password) {
        return builder().security(Security.STARTTLS).credentials(username, password).start();
    }

    /** TLS from the first byte; AUTH PLAIN and LOGIN accept only these credentials. */
    public static TestSmtpServer implicitTls(String username, String password) {
        return builder().security(Security.IMPLICIT_TLS).credentials(username, password).start();
    }

    /** Plain text, no STARTTLS and no AUTH: a server that accepts any mail. */
    public static TestSmtpServer plain() {
        return builder().start();
    }

    /** A server configured step by step; by default plain text without AUTH. */
    public static Builder builder() {
        return new Builder();
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    public int port() {
        return server.getPortAllocated();
    }

    /** The messages received so far, oldest first. */
    public List<ReceivedMessage> messages() {
        return List.copyOf(messages);
    }

    /**
     * Waits until at least {@code count} messages have arrived and returns all of them.
     *
     * @throws AssertionError if they have not arrived within {@code timeout}
     */
    public List<ReceivedMessage> awaitMessages(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (messages) {
            while (messages.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " message(s) within " + timeout + " but received "
                            + messages.size());
                }
                try {
                    messages.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for messages", e);
                }
            }
            return List.copyOf(messages);
        }
    }

    /** Every AUTH exchange that reached the credential check, oldest first. */
    public List<AuthAttempt> authAttempts() {
        return List.copyOf(authAttempts);
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * The server side of the test certificate, for other test servers that speak TLS. Callers trust it through
     * the surefire trust store ({@code javax.net.ssl.trustStore}).
     */
    public static SSLContext serverSslContext() {
        try (InputStream in = TestSmtpServer.class.getResourceAsStream(KEYSTORE)) {
            if (in == null) {
                throw new IllegalStateException(KEYSTORE + " is not on the test classpath");
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, KEYSTORE_PASSWORD);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, KEYSTORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the test TLS key could not be loaded", e);
        }
    }

    /**
     * One factory per offered mechanism, in the order the server advertises them. A further mechanism (such as
     * XOAUTH2) is one more case here, recording its attempts through {@link #recordingValidator}.
     */
    private AuthenticationHandlerFactory authentication(Builder builder) {
        List<AuthenticationHandlerFactory> factories = new ArrayList<>();
        for (String mechanism : builder.mechanisms) {
            UsernamePasswordValidator validator = recordingValidator(mechanism, builder.username, builder.password);
            factories.add(switch (mechanism) {
                case "PLAIN" -> new PlainAuthenticationHandlerFactory(validator);
                case "LOGIN" -> new LoginAuthenticationHandlerFactory(validator);
                default -> throw new IllegalArgumentException("no test support for AUTH " + mechanism);
            });
        }
        return new MultipleAuthenticationHandlerFactory(factories);
    }

    private UsernamePasswordValidator recordingValidator(String mechanism, String username, String password) {
        return (givenUsername, givenPassword, context) -> {
            boolean accepted = username.equals(givenUsername) && password.equals(givenPassword);
            authAttempts.add(new AuthAttempt(mechanism, givenUsername, accepted));
            if (!accepted) {
                throw new LoginFailedException();
            }
        };
    }

    private void received(ReceivedMessage message) {
        synchronized (messages) {
            messages.add(message);
            messages.notifyAll();
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Collects one mail transaction; the server answers 250 to DATA only after it has been recorded. */
    private final class RecordingHandler implements MessageHandler {
        private String from;
        private final List<String> recipients = new ArrayList<>();

        @Override
        public void from(String from) {
            this.from = from;
        }

        @Override
        public void recipient(String recipient) {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws IOException {
            received(new ReceivedMessage(from, List.copyOf(recipients), data.readAllBytes()));
            return null;
        }

        @Override
        public void done() {
            // Recorded in data(), before the server's 250.
        }
    }

    /** Options for a {@link TestSmtpServer}. */
    public static final class Builder {
        private Security security = Security.NONE;
        private String username;
        private String password;
        private List<String> mechanisms = List.of("PLAIN", "LOGIN");

        private Builder() {
        }

        public Builder security(Security security) {
            this.security = security;
            return this;
        }

        /** Requires AUTH before MAIL and accepts only these credentials. */
        public Builder credentials(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        /** The SASL mechanisms offered with {@link #credentials}, in this order; PLAIN and LOGIN by default. */
        public Builder mechanisms(String... mechanisms) {
            this.mechanisms = Arrays.stream(mechanisms).map(m -> m.toUpperCase(Locale.ROOT)).toList();
            return this;
        }

        public TestSmtpServer start() {
            return new TestSmtpServer(this);
        }
    }
}
