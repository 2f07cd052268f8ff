package com.deliverychannels.mail;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import com.deliverychannels.delivery.FailureKind;
import com.deliverychannels.delivery.SendOutcome;

import io.vertx.ext.mail.SMTPException;

/**
 * Reads what went wrong in an SMTP attempt into a {@link FailureKind}: the reply code where the server
 * gave one (RFC 5321 §4.2.1: 4yz transient, 5yz permanent), the stage where it can be told (AUTH, RCPT),
 * and the transport error otherwise. Diagnostics carry the server's words, never the credentials.
 */
final class SmtpFailures {
    private static final int MAX_DIAGNOSTIC = 500;

    private SmtpFailures() {
    }

    static SendOutcome.Failed classify(Throwable failure, String... secrets) {
        Throwable cause = unwrap(failure);
        String message = redact(String.valueOf(cause.getMessage()), secrets);
        String lower = message.toLowerCase(Locale.ROOT);
        if (cause instanceof SMTPException smtp) {
            int code = smtp.getReplyCode();
            String reply = redact(reply(code, smtp.getReplyMessages()), secrets);
            if (lower.contains("auth") && (code == 535 || code == 534 || code == 530 || code == 538)) {
                return failed(FailureKind.AUTH_FAILED, reply);
            }
            if (smtp.isTransient() || (code >= 400 && code < 500)) {
                return failed(FailureKind.SMTP_TRANSIENT, reply);
            }
            if (lower.contains("recipient") || lower.contains("rcpt")) {
                return failed(FailureKind.RECIPIENT_REFUSED, reply);
            }
            return failed(FailureKind.SMTP_PERMANENT, reply);
        }
        if (lower.contains("auth") && (lower.contains("fail") || lower.contains("535"))) {
            return failed(FailureKind.AUTH_FAILED, message);
        }
        // Vert.x's words when the server cannot do what the settings require (SMTPInitialDialogue: "STARTTLS
        // required but not supported by server"; SMTPAuthentication: "login is required, but ..."): retrying
        // cannot help until the user changes the settings.
        if (lower.contains("no supported auth") || lower.contains("starttls is required")
                || lower.contains("starttls required") || lower.contains("login is required")) {
            return failed(FailureKind.CHANNEL_UNUSABLE, message);
        }
        if (cause instanceof SSLException) {
            return failed(FailureKind.CHANNEL_UNUSABLE, "TLS: " + message);
        }
        if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException
                || cause.getClass().getSimpleName().contains("Timeout") || lower.contains("timeout")
                || lower.contains("timed out")) {
            return failed(FailureKind.TIMEOUT, message);
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof NoRouteToHostException || cause instanceof ClosedChannelException
                || lower.contains("connection") || lower.contains("closed")) {
            return failed(FailureKind.CONNECTION, message);
        }
        // Anything else is treated as passing: a later attempt costs little, a lost message a lot.
        return failed(FailureKind.CONNECTION, message);
    }

    /** The server's reply as it sent it: Vert.x keeps each line with its code, so the code is not added again. */
    private static String reply(int code, java.util.List<String> lines) {
        String joined = String.join(" ", lines).strip();
        return joined.startsWith(Integer.toString(code)) ? joined : code + " " + joined;
    }

    private static SendOutcome.Failed failed(FailureKind kind, String diagnostic) {
        String clean = diagnostic.replaceAll("\\p{Cntrl}", " ").trim();
        return new SendOutcome.Failed(kind, clean.length() <= MAX_DIAGNOSTIC ? clean
                : clean.substring(0, MAX_DIAGNOSTIC) + "...");
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof java.util.concurrent.ExecutionException
                || current instanceof java.util.concurrent.CompletionException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static String redact(String text, String... secrets) {
        String clean = text;
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                clean = clean.replace(secret, "[redacted]");
                clean = clean.replace(java.util.Base64.getEncoder().encodeToString(
                        secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "[redacted]");
            }
        }
        return clean;
    }
}
