package com.deliverychannels.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
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
 *
 * {@link #gmailLike} plays smtp.gmail.com for the GMAIL channel: STARTTLS required, then SASL XOAUTH2 with one
 * account's OAuth2 access token.
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

    /**
     * One AUTH exchange that reached the credential check; the password or token is not kept. For XOAUTH2 the
     * username is the {@code user=} of the client's response (null when the response could not be read).
     */
    public record AuthAttempt(String mechanism, String username, boolean succeeded) {
    }

    private final SMTPServer server;
    private final List<ReceivedMessage> messages = new CopyOnWriteArrayList<>();
    private final List<AuthAttempt> authAttempts = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch dataHold;

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
        if (builder.username != null || builder.xoauth2Address != null) {
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

    /**
     * Like smtp.gmail.com for one account: STARTTLS required before AUTH and MAIL, and AUTH XOAUTH2 accepting
     * only {@code address} with the bearer token {@code acceptedAccessToken}.
     */
    public static TestSmtpServer gmailLike(String address, String acceptedAccessToken) {
        return builder().security(Security.STARTTLS).xoauth2(address, acceptedAccessToken).start();
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

    /** A hold on the server's replies to DATA; {@link #close()} lets them go. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Holds the server's reply to every DATA (the message recorded, its {@code 250} not yet sent) until the hold
     * is closed, at most 20 seconds: a sender stays in the middle of its SMTP transaction as long as a test needs.
     */
    public Hold holdDataReplies() {
        CountDownLatch latch = new CountDownLatch(1);
        dataHold = latch;
        return () -> {
            dataHold = null;
            latch.countDown();
        };
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

    /** One factory per offered mechanism, in the order the server advertises them. */
    private AuthenticationHandlerFactory authentication(Builder builder) {
        List<AuthenticationHandlerFactory> factories = new ArrayList<>();
        for (String mechanism : builder.offeredMechanisms()) {
            if (mechanism.equals("XOAUTH2")) {
                factories.add(new Xoauth2HandlerFactory(builder.xoauth2Address, builder.xoauth2Token));
                continue;
            }
            if (builder.username == null) {
                throw new IllegalArgumentException("AUTH " + mechanism + " needs credentials(username, password)");
            }
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

    /**
     * SASL XOAUTH2 as Gmail speaks it (Google's "OAuth 2.0 Mechanism" page; RFC 7628 is its standard sibling):
     * the client's response is {@code base64("user=" address ^A "auth=Bearer " token ^A ^A)}, sent with the
     * AUTH command or after an empty {@code 334}. A refused token gets Gmail's {@code 334} challenge carrying a
     * base64 JSON error, and once the client answers it (with an empty line), {@code 535 5.7.8}.
     */
    private final class Xoauth2HandlerFactory implements AuthenticationHandlerFactory {
        private static final String MECHANISM = "XOAUTH2";
        private static final String ERROR_CHALLENGE = Base64.getEncoder().encodeToString(
                "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}"
                        .getBytes(StandardCharsets.UTF_8));

        private final String address;
        private final String acceptedToken;

        Xoauth2HandlerFactory(String address, String acceptedToken) {
            this.address = address;
            this.acceptedToken = acceptedToken;
        }

        @Override
        public List<String> getAuthenticationMechanisms() {
            return List.of(MECHANISM);
        }

        @Override
        public AuthenticationHandler create() {
            return new AuthenticationHandler() {
                private boolean refused;
                private String identity;

                @Override
                public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                    if (refused) {
                        throw new RejectException(535, "5.7.8 Username and Password not accepted");
                    }
                    String response = clientInput.trim();
                    String[] words = response.split("\\s+");
                    if (words[0].equalsIgnoreCase("AUTH")) {
                        if (words.length < 3) {
                            return Optional.of("334 ");
                        }
                        response = words[2];
                    }
                    String decoded;
                    try {
                        decoded = new String(Base64.getDecoder().decode(response), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        authAttempts.add(new AuthAttempt(MECHANISM, null, false));
                        throw new RejectException(501, "5.5.2 Cannot Decode response");
                    }
                    String user = decoded.startsWith("user=") && decoded.indexOf('\u0001') > 0
                            ? decoded.substring("user=".length(), decoded.indexOf('\u0001'))
                            : null;
                    boolean accepted = decoded.equals("user=" + address + "\u0001auth=Bearer " + acceptedToken
                            + "\u0001\u0001");
                    authAttempts.add(new AuthAttempt(MECHANISM, user, accepted));
                    if (accepted) {
                        identity = user;
                        return Optional.empty();
                    }
                    refused = true;
                    return Optional.of("334 " + ERROR_CHALLENGE);
                }

                @Override
                public Object getIdentity() {
                    return identity;
                }
            };
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
            CountDownLatch hold = dataHold;
            if (hold != null) {
                try {
                    hold.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
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
        private List<String> mechanisms;
        private String xoauth2Address;
        private String xoauth2Token;

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

        /**
         * Requires AUTH before MAIL and offers SASL XOAUTH2 (after any {@link #credentials} mechanisms), which
         * accepts only {@code address} with the bearer token {@code acceptedAccessToken}.
         */
        public Builder xoauth2(String address, String acceptedAccessToken) {
            this.xoauth2Address = address;
            this.xoauth2Token = acceptedAccessToken;
            return this;
        }

        /**
         * The SASL mechanisms offered, in this order; by default PLAIN and LOGIN with {@link #credentials}, then
         * XOAUTH2 with {@link #xoauth2}.
         */
        public Builder mechanisms(String... mechanisms) {
            this.mechanisms = Arrays.stream(mechanisms).map(m -> m.toUpperCase(Locale.ROOT)).toList();
            return this;
        }

        public TestSmtpServer start() {
            return new TestSmtpServer(this);
        }

        private List<String> offeredMechanisms() {
            if (mechanisms != null) {
                return mechanisms;
            }
            List<String> offered = new ArrayList<>();
            if (username != null) {
                offered.addAll(List.of("PLAIN", "LOGIN"));
            }
            if (xoauth2Address != null) {
                offered.add("XOAUTH2");
            }
            return offered;
        }
    }
}
