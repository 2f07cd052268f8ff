package com.deliverychannels.channel;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where users' SMTP settings may point. A user-chosen host is a server-side request forgery vector: from
 * inside AWS it could reach the instance metadata service or our own network. Hosts must be DNS names or
 * public addresses; loopback, private, link-local, shared, reserved and metadata ranges are refused unless
 * {@code SMTP_ALLOW_PRIVATE_HOSTS} (local runs and tests). The check runs when settings are saved (literal
 * addresses and {@code localhost}) and again before every connection on the resolved addresses, and the
 * connection goes to the address that was checked, so a DNS answer cannot change in between.
 */
public final class SmtpHostPolicy {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern HEX_NUMBER = Pattern.compile("0x[0-9a-f]*");

    private final boolean allowPrivate;
    private final HostResolver resolver;

    public SmtpHostPolicy(boolean allowPrivate, HostResolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** Resolves host names to addresses; DNS in production, a table in tests. */
    @FunctionalInterface
    public interface HostResolver {
        /** All addresses of {@code host}. */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The host as kept: trimmed, lower case, without a trailing dot or IPv6 brackets. */
    public static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h;
    }

    /**
     * Checks a normalized host when settings are saved. Answers the text key of the reason it is refused,
     * or empty when it may be saved.
     */
    public Optional<String> refusalOnSave(String host) {
        Optional<InetAddress> literal = literal(host);
        if (literal.isPresent()) {
            return isRefused(literal.get()) ? Optional.of("smtp.host.private") : Optional.empty();
        }
        if (!isDnsName(host)) {
            return Optional.of("smtp.host.syntax");
        }
        if (!allowPrivate && (host.equals("localhost") || host.endsWith(".localhost") || !host.contains("."))) {
            return Optional.of("smtp.host.private");
        }
        return Optional.empty();
    }

    /** The outcome of resolving a host right before connecting to it. */
    public sealed interface Resolution {
        /** Connect to this address. */
        record Allowed(InetAddress address) implements Resolution {
        }

        /** The host resolves to an address we never connect to. */
        record Refused() implements Resolution {
        }

        /** The host does not resolve. */
        record Unresolvable() implements Resolution {
        }
    }

    /** Resolves {@code host} and picks the address to connect to, refusing the host if any address is refused. */
    public Resolution resolveForConnect(String host) {
        InetAddress[] addresses;
        try {
            addresses = literal(host).map(a -> new InetAddress[] {a}).orElse(null);
            if (addresses == null) {
                if (!isDnsName(host)) {
                    return new Resolution.Unresolvable();
                }
                addresses = resolver.resolve(host);
            }
        } catch (UnknownHostException e) {
            return new Resolution.Unresolvable();
        }
        if (addresses.length == 0) {
            return new Resolution.Unresolvable();
        }
        // One refused address refuses the host: a name that mixes public and private answers is not trusted.
        if (Arrays.stream(addresses).anyMatch(this::isRefused)) {
            return new Resolution.Refused();
        }
        return new Resolution.Allowed(addresses[0]);
    }

    /** Answers whether we refuse to connect to {@code address}. */
    public boolean isRefused(InetAddress address) {
        return !allowPrivate && isNonPublic(address);
    }

    /** Loopback, private, link-local (the metadata service among them), shared, reserved or special-purpose. */
    static boolean isNonPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isNonPublicV4(b);
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xFF;
            if ((first & 0xFE) == 0xFC) {
                return true; // fc00::/7 unique local, AWS's IPv6 metadata fd00:ec2::254 among them
            }
            if (first == 0x20 && (b[1] & 0xFF) == 0x01 && (b[2] & 0xFF) == 0x0D && (b[3] & 0xFF) == 0xB8) {
                return true; // 2001:db8::/32 documentation
            }
            boolean leadingZeros = true;
            for (int i = 0; i < 10; i++) {
                leadingZeros &= b[i] == 0;
            }
            if (leadingZeros && (((b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) || (b[10] == 0 && b[11] == 0))) {
                // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses reach IPv4 hosts
                return isNonPublicV4(Arrays.copyOfRange(b, 12, 16));
            }
            if ((first == 0x00 && (b[1] & 0xFF) == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B)) {
                return isNonPublicV4(Arrays.copyOfRange(b, 12, 16)); // 64:ff9b::/96 NAT64
            }
        }
        return false;
    }

    private static boolean isNonPublicV4(byte[] b) {
        int a0 = b[0] & 0xFF;
        int a1 = b[1] & 0xFF;
        int a2 = b[2] & 0xFF;
        return a0 == 0                                   // 0.0.0.0/8 "this network"
                || a0 == 10                              // RFC 1918
                || a0 == 127                             // loopback
                || (a0 == 100 && (a1 & 0xC0) == 64)      // 100.64.0.0/10 carrier-grade NAT
                || (a0 == 169 && a1 == 254)              // link-local, 169.254.169.254 metadata
                || (a0 == 172 && (a1 & 0xF0) == 16)      // RFC 1918
                || (a0 == 192 && a1 == 0 && a2 == 0)     // 192.0.0.0/24 IETF protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2)     // TEST-NET-1
                || (a0 == 192 && a1 == 168)              // RFC 1918
                || (a0 == 198 && (a1 & 0xFE) == 18)      // 198.18.0.0/15 benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100)  // TEST-NET-2
                || (a0 == 203 && a1 == 0 && a2 == 113)   // TEST-NET-3
                || a0 >= 224;                            // multicast, reserved, broadcast
    }

    /**
     * The address {@code host} spells, when it is an address literal in canonical form: four decimal octets of
     * 0–255 without leading zeros, or IPv6 (its embedded IPv4 part likewise; no zone). Anything else is empty,
     * and a name only if {@link #isDnsName} says so: {@code 012.0.0.1} is 12.0.0.1 to Java and 10.0.0.1 to
     * every resolver that follows {@code inet_aton} (octal), so it is refused rather than guessed at.
     */
    private static Optional<InetAddress> literal(String host) {
        try {
            if (IPV4.matcher(host).matches()) {
                return isCanonicalIpv4(host) ? Optional.of(InetAddress.getByName(host)) : Optional.empty();
            }
            if (host.contains(":")) {
                String last = host.substring(host.lastIndexOf(':') + 1);
                if (host.contains("%") || last.contains(".") && !isCanonicalIpv4(last)) {
                    return Optional.empty();
                }
                // A literal with a colon is parsed, never looked up.
                return Optional.of(InetAddress.getByName("[" + host + "]"));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean isCanonicalIpv4(String dotted) {
        if (!IPV4.matcher(dotted).matches()) {
            return false;
        }
        for (String octet : dotted.split("\\.")) {
            if (octet.length() > 1 && octet.charAt(0) == '0' || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDnsName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // A name that ends in a number is an address to inet_aton and to URL parsers (WHATWG's "ends in a number"):
        // 2130706433, 127.1, 0x7f.1 and 127.0x1 all mean 127.0.0.1 there. No such name is a DNS name here.
        String last = host.substring(host.lastIndexOf('.') + 1);
        return !last.chars().allMatch(Character::isDigit) && !HEX_NUMBER.matcher(last).matches();
    }
}
