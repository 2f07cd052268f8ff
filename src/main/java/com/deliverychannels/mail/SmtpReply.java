package com.deliverychannels.mail;

import java.util.List;

/**
 * A complete SMTP reply (RFC 5321 §4.2): a three-digit code and its lines, continuation lines joined.
 */
record SmtpReply(int code, List<String> lines) {

    boolean isPositive() {
        return code >= 200 && code < 400;
    }

    boolean isTransient() {
        return code >= 400 && code < 500;
    }

    /** The reply as one line a person can read, without control characters and of bounded length. */
    String text() {
        String joined = code + " " + String.join(" ", lines);
        String clean = joined.replaceAll("\\p{Cntrl}", " ").trim();
        return clean.length() <= 300 ? clean : clean.substring(0, 300) + "...";
    }
}
