package com.deliverychannels.core;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An RFC 5322 addr-spec ({@code local-part "@" domain}) without comments or folding white space:
 * the form a recipient or sender address takes on the wire. Display names are not part of it.
 */
public final class EmailAddress {
    /** RFC 5321 §4.5.3.1: 64 octets of local part, 254 of path without the angle brackets. */
    private static final int MAX_LOCAL = 64;
    private static final int MAX_TOTAL = 254;

    private static final String ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
    private static final Pattern DOT_ATOM = Pattern.compile(ATEXT + "+(\\." + ATEXT + "+)*");
    /** quoted-string: printable ASCII except \ and ", or a quoted pair; no CR or LF. */
    private static final Pattern QUOTED = Pattern.compile("\"([\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\\x20-\\x7E])*\"");
    private static final Pattern DOMAIN_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    /**
     * RFC 5321 §4.1.3: an envelope takes an IPv4 literal or a tagged one ({@code [IPv6:...]}), nothing else. Its
     * octets are written without leading zeros: RFC 5321's Snum allows {@code [012.0.0.1]}, which resolvers read
     * as 10.0.0.1 (octal) or 12.0.0.1.
     */
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern DOMAIN_LITERAL = Pattern.compile(
            "\\[(" + OCTET + "(\\." + OCTET + "){3}|IPv6:[0-9A-Fa-f:.]+)\\]");

    private EmailAddress() {
    }

    /** Answers whether {@code value} is an addr-spec we can put in an envelope and a header. */
    public static boolean isValid(String value) {
        if (value == null || value.length() > MAX_TOTAL) {
            return false;
        }
        int at = value.lastIndexOf('@');
        if (at <= 0 || at == value.length() - 1) {
            return false;
        }
        String local = value.substring(0, at);
        String domain = value.substring(at + 1);
        return isLocalPart(local) && isDomain(domain);
    }

    /** The address as kept for comparisons: the domain is case-insensitive, the local part is kept as is. */
    public static String canonical(String value) {
        int at = value.lastIndexOf('@');
        return value.substring(0, at) + "@" + value.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    private static boolean isLocalPart(String local) {
        return local.length() <= MAX_LOCAL
                && (DOT_ATOM.matcher(local).matches() || QUOTED.matcher(local).matches());
    }

    private static boolean isDomain(String domain) {
        if (DOMAIN_LITERAL.matcher(domain).matches()) {
            return true;
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return false; // a bare host name is no deliverable Internet address
        }
        for (String label : labels) {
            if (!DOMAIN_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }
}
