package com.deliverychannels.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.deliverychannels.core.EmailAddress;
import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.HeaderText;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.SortableId;

/**
 * The rules of CONTRACT §3 {@code send}: at least one To, at most 50 recipients, RFC 5322 addresses, a
 * subject of at most 998 characters (RFC 5322 §2.1.1's line limit), a text or HTML body, and no control
 * character or line separator ({@link HeaderText}) in anything that becomes a header (header injection:
 * refused as malformed, 400).
 */
public final class SendRequestRules {
    public static final int MAX_RECIPIENTS = 50;
    public static final int MAX_SUBJECT = 998;
    public static final int MAX_CONVERSATION_ID = 256;

    private SendRequestRules() {
    }

    /** Refuses the request with every fault at once: header injection first (400), then invalid fields (422). */
    public static void check(SendRequest request) {
        List<FieldError> injections = new ArrayList<>();
        List<FieldError> invalid = new ArrayList<>();
        if (request.to() == null || request.to().isEmpty()) {
            invalid.add(FieldError.of("to", "field.required"));
        }
        addresses("to", request.to(), injections, invalid);
        addresses("cc", request.cc(), injections, invalid);
        addresses("bcc", request.bcc(), injections, invalid);
        int recipients = size(request.to()) + request.cc().size() + request.bcc().size();
        if (recipients > MAX_RECIPIENTS) {
            invalid.add(FieldError.of("to", "field.recipients", MAX_RECIPIENTS));
        }
        if (request.replyTo() != null) {
            address("replyTo", request.replyTo(), injections, invalid);
        }
        if (request.subject() == null) {
            invalid.add(FieldError.of("subject", "field.required"));
        } else if (!injected("subject", request.subject(), injections) && request.subject().length() > MAX_SUBJECT) {
            invalid.add(FieldError.of("subject", "field.too-long", MAX_SUBJECT));
        }
        if (isBlank(request.text()) && isBlank(request.html())) {
            invalid.add(FieldError.of("text", "field.body-required"));
        }
        if (request.conversationId() != null && !injected("conversationId", request.conversationId(), injections)
                && request.conversationId().length() > MAX_CONVERSATION_ID) {
            invalid.add(FieldError.of("conversationId", "field.too-long", MAX_CONVERSATION_ID));
        }
        if (request.identityId() != null && !SortableId.isWellFormed(request.identityId())) {
            invalid.add(FieldError.of("identityId", "field.identity-unknown"));
        }
        if (!injections.isEmpty()) {
            throw InvalidInputException.malformed(injections);
        }
        if (!invalid.isEmpty()) {
            throw new InvalidInputException(invalid);
        }
    }

    private static void addresses(String field, List<String> values, List<FieldError> injections,
            List<FieldError> invalid) {
        if (values == null) {
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            address(field + "[" + i + "]", values.get(i), injections, invalid);
        }
    }

    private static void address(String field, String value, List<FieldError> injections, List<FieldError> invalid) {
        if (value != null && injected(field, value, injections)) {
            return;
        }
        if (!EmailAddress.isValid(value)) {
            invalid.add(FieldError.of(field, "field.email"));
        }
    }

    /** Records {@code value} as header injection when it holds a control character; answers whether it did. */
    private static boolean injected(String field, String value, List<FieldError> injections) {
        Optional<String> refusal = HeaderText.refusal(value);
        refusal.ifPresent(key -> injections.add(FieldError.of(field, key)));
        return refusal.isPresent();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static int size(List<String> values) {
        return values == null ? 0 : values.size();
    }
}
