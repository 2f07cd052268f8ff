package com.deliverychannels.mail;

import java.util.Map;

import com.deliverychannels.delivery.OutgoingMessage;

import io.vertx.core.MultiMap;
import io.vertx.ext.mail.MailMessage;

/** Builds the Vert.x message for an {@link OutgoingMessage}; MIME encoding is Vert.x's. */
final class MailMessages {
    private MailMessages() {
    }

    static MailMessage of(OutgoingMessage message) {
        MailMessage mail = new MailMessage()
                .setFrom(from(message.fromName(), message.fromAddress()))
                .setTo(message.to())
                .setSubject(message.subject());
        if (!message.cc().isEmpty()) {
            mail.setCc(message.cc());
        }
        if (!message.bcc().isEmpty()) {
            mail.setBcc(message.bcc());
        }
        if (message.envelopeFrom() != null) {
            mail.setBounceAddress(message.envelopeFrom());
        }
        if (message.text() != null) {
            mail.setText(message.text());
        }
        if (message.html() != null) {
            mail.setHtml(message.html());
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (message.replyTo() != null) {
            headers.add("Reply-To", message.replyTo());
        }
        for (Map.Entry<String, String> header : message.headers().entrySet()) {
            headers.add(header.getKey(), header.getValue());
        }
        mail.setHeaders(headers);
        return mail;
    }

    /** {@code "Display Name" <address>}, the name quoted (RFC 5322 §3.2.4) so commas and dots stay in it. */
    static String from(String name, String address) {
        if (name == null || name.isBlank()) {
            return address;
        }
        String quoted = name.replace("\\", "\\\\").replace("\"", "\\\"");
        return "\"" + quoted + "\" <" + address + ">";
    }
}
