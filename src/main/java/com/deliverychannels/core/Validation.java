package com.deliverychannels.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Collects every field error of a request, then refuses it at once if there was any: as malformed (400)
 * when a header value carries a control character (header injection), else as invalid (422).
 */
public final class Validation {
    private final List<FieldError> errors = new ArrayList<>();
    private final List<FieldError> injections = new ArrayList<>();

    /** Records an error when {@code failed} holds. Answers whether the value passed. */
    public boolean check(boolean passed, String field, String messageKey, Object... args) {
        if (!passed) {
            errors.add(FieldError.of(field, messageKey, args));
        }
        return passed;
    }

    /** Records an error that a caller found on its own. */
    public void add(FieldError error) {
        errors.add(error);
    }

    /** A required text: present and not blank. Answers whether it passed. */
    public boolean required(String value, String field) {
        return check(value != null && !value.isBlank(), field, "field.required");
    }

    /**
     * A required text with a length limit and no control character or line separator (a host name, a user
     * name, an OAuth parameter: one line of text that never belongs to a mail header). Refused as invalid.
     */
    public boolean singleLine(String value, String field, int maxLength) {
        if (!required(value, field)) {
            return false;
        }
        if (!check(value.length() <= maxLength, field, "field.too-long", maxLength)) {
            return false;
        }
        Optional<String> refusal = HeaderText.refusal(value);
        refusal.ifPresent(key -> errors.add(FieldError.of(field, key)));
        return refusal.isEmpty();
    }

    /**
     * A required text that becomes (part of) a mail header: a display name, an address. A control character
     * or line separator in it ({@link HeaderText}) is header injection, and refuses the whole request as
     * malformed whatever else is wrong; otherwise it must fit {@code maxLength}.
     */
    public boolean headerValue(String value, String field, int maxLength) {
        if (!required(value, field)) {
            return false;
        }
        Optional<String> refusal = HeaderText.refusal(value);
        if (refusal.isPresent()) {
            injections.add(FieldError.of(field, refusal.get()));
            return false;
        }
        return check(value.length() <= maxLength, field, "field.too-long", maxLength);
    }

    /** Throws the collected errors, if any: the header injections alone when there are any (400), else all (422). */
    public void throwIfInvalid() {
        if (!injections.isEmpty()) {
            throw InvalidInputException.malformed(injections);
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
