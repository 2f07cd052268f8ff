package com.deliverychannels.http;

/**
 * The kinds of problem+json answers (RFC 9457) the API gives: status, the {@code type} URI's last
 * segment, and the key of the localized title.
 */
public enum Problem {
    BAD_REQUEST(400, "bad-request"),
    UNAUTHENTICATED(401, "unauthenticated"),
    FORBIDDEN(403, "forbidden"),
    NOT_FOUND(404, "not-found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed"),
    CONFLICT(409, "conflict"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type"),
    INVALID_FIELDS(422, "invalid-fields"),
    INTERNAL(500, "internal"),
    UNAVAILABLE(503, "unavailable");

    /** Where each {@code type} points; a stable identifier clients may switch on. */
    public static final String TYPE_BASE = "https://delivery-channels.dev/problems/";

    private final int status;
    private final String slug;

    Problem(int status, String slug) {
        this.status = status;
        this.slug = slug;
    }

    public int status() {
        return status;
    }

    public String type() {
        return TYPE_BASE + slug;
    }

    /** The text key of the title. */
    public String titleKey() {
        return "problem." + slug + ".title";
    }
}
