package com.deliverychannels.channel;

/** SASL mechanisms offered for users' own servers. */
public enum SmtpAuthMethod {
    /** RFC 4616. */
    PLAIN,
    /** The widespread non-standard LOGIN mechanism (Exchange). */
    LOGIN
}
