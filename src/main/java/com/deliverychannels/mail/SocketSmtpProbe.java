package com.deliverychannels.mail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.deliverychannels.channel.SmtpAuthMethod;
import com.deliverychannels.channel.SmtpEndpoint;
import com.deliverychannels.channel.SmtpProbe;
import com.deliverychannels.channel.SmtpSecurity;
import com.deliverychannels.channel.SmtpStage;
import com.deliverychannels.channel.SmtpVerification;
import com.deliverychannels.config.MscConfig;
import com.deliverychannels.config.SmtpPolicyConfig;

/**
 * Verifies SMTP settings with a real conversation: connect, TLS (implicit or STARTTLS), EHLO, AUTH, QUIT.
 * It stops before MAIL FROM, so nothing is ever sent, and reports the stage where the server said no.
 * Written on plain sockets because a mail client's send API cannot stop after authentication or say
 * which stage failed.
 */
@ApplicationScoped
public class SocketSmtpProbe implements SmtpProbe {
    private final Duration timeout;
    private final String heloName;

    @Inject
    public SocketSmtpProbe(SmtpPolicyConfig policy, MscConfig msc) {
        this(policy.connectTimeout(), msc.senderDomain());
    }

    SocketSmtpProbe(Duration timeout, String heloName) {
        this.timeout = timeout;
        this.heloName = heloName;
    }

    @Override
    public SmtpVerification probe(SmtpEndpoint endpoint, String username, String password, SmtpAuthMethod method) {
        SmtpStage stage = SmtpStage.CONNECT;
        try (SmtpConnection connection = SmtpConnection.open(endpoint.host(),
                new InetSocketAddress(endpoint.address(), endpoint.port()), timeout, timeout.multipliedBy(2))) {
            if (endpoint.security() == SmtpSecurity.TLS) {
                stage = SmtpStage.TLS;
                connection.startTls();
                stage = SmtpStage.CONNECT;
            }
            SmtpReply greeting = connection.read();
            if (greeting.code() != 220) {
                return SmtpVerification.failed(SmtpStage.CONNECT, "verify.connect.greeting", greeting.text());
            }
            SmtpReply ehlo = connection.command("EHLO " + heloName);
            if (ehlo.code() != 250) {
                return SmtpVerification.failed(SmtpStage.CONNECT, "verify.connect.ehlo", ehlo.text());
            }
            if (endpoint.security() == SmtpSecurity.STARTTLS) {
                stage = SmtpStage.TLS;
                if (!offers(ehlo, "STARTTLS")) {
                    return SmtpVerification.failed(SmtpStage.TLS, "verify.tls.not-offered", null);
                }
                SmtpReply ready = connection.command("STARTTLS");
                if (ready.code() != 220) {
                    return SmtpVerification.failed(SmtpStage.TLS, "verify.tls.refused", ready.text());
                }
                connection.startTls();
                // RFC 3207 §4.2: the client forgets everything it knew and says EHLO again.
                ehlo = connection.command("EHLO " + heloName);
                if (ehlo.code() != 250) {
                    return SmtpVerification.failed(SmtpStage.TLS, "verify.connect.ehlo", ehlo.text());
                }
            }
            stage = SmtpStage.AUTH;
            if (!authMechanisms(ehlo).contains(method.name())) {
                return SmtpVerification.failed(SmtpStage.AUTH, "verify.auth.not-offered",
                        String.join(" ", authMechanisms(ehlo)));
            }
            SmtpReply outcome = authenticate(connection, method, username, password);
            if (outcome.code() != 235) {
                String key = outcome.isTransient() ? "verify.auth.temporary" : "verify.auth.refused";
                return SmtpVerification.failed(SmtpStage.AUTH, key, outcome.text());
            }
            quietly(connection);
            return SmtpVerification.passed();
        } catch (SocketTimeoutException e) {
            return SmtpVerification.failed(stage, "verify.timeout", null);
        } catch (SSLException e) {
            return SmtpVerification.failed(SmtpStage.TLS, "verify.tls.failed", describe(e));
        } catch (IOException e) {
            return SmtpVerification.failed(stage, stage == SmtpStage.CONNECT ? "verify.connect.failed"
                    : "verify.connection-lost", describe(e));
        }
    }

    private static SmtpReply authenticate(SmtpConnection connection, SmtpAuthMethod method, String username,
            String password) throws IOException {
        Base64.Encoder base64 = Base64.getEncoder();
        // RFC 4616: authzid NUL authcid NUL passwd, with an empty authzid
        String plain = base64.encodeToString(("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8));
        connection.redact(password, base64.encodeToString(password.getBytes(StandardCharsets.UTF_8)), plain);
        if (method == SmtpAuthMethod.PLAIN) {
            return connection.command("AUTH PLAIN " + plain);
        }
        SmtpReply reply = connection.command("AUTH LOGIN");
        if (reply.code() != 334) {
            return reply;
        }
        reply = connection.command(base64.encodeToString(username.getBytes(StandardCharsets.UTF_8)));
        if (reply.code() != 334) {
            return reply;
        }
        return connection.command(base64.encodeToString(password.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean offers(SmtpReply ehlo, String extension) {
        return ehlo.lines().stream().anyMatch(line -> line.toUpperCase(Locale.ROOT).split("[ =]")[0].equals(extension));
    }

    /** The SASL mechanisms of the EHLO {@code AUTH} line (also the old {@code AUTH=} form). */
    private static List<String> authMechanisms(SmtpReply ehlo) {
        return ehlo.lines().stream()
                .map(line -> line.toUpperCase(Locale.ROOT))
                .filter(line -> line.startsWith("AUTH ") || line.startsWith("AUTH="))
                .flatMap(line -> java.util.Arrays.stream(line.substring(5).trim().split("\\s+")))
                .distinct()
                .toList();
    }

    private static void quietly(SmtpConnection connection) {
        try {
            connection.command("QUIT");
        } catch (IOException ignored) {
            // The verification is complete; a server that drops the line on QUIT changes nothing.
        }
    }

    /** What went wrong, as an exception describes it; these carry addresses and reasons, never credentials. */
    private static String describe(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }
}
