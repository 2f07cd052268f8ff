package com.deliverychannels.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.channel.SmtpHostPolicy.Resolution;

class SmtpHostPolicyTest {

    /** Fails the test if a rule that should need no DNS asks for it. */
    private static final SmtpHostPolicy.HostResolver NO_DNS = host -> {
        throw new AssertionError("no lookup expected for " + host);
    };

    private static SmtpHostPolicy policy() {
        return new SmtpHostPolicy(false, NO_DNS);
    }

    private static SmtpHostPolicy permissive() {
        return new SmtpHostPolicy(true, NO_DNS);
    }

    /** A DNS stand-in that answers from a table and records the names it was asked for. */
    private static final class TableResolver implements SmtpHostPolicy.HostResolver {
        private final Map<String, List<String>> answers;
        final List<String> asked = new ArrayList<>();

        TableResolver(Map<String, List<String>> answers) {
            this.answers = answers;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            asked.add(host);
            List<String> literals = answers.get(host);
            if (literals == null) {
                throw new UnknownHostException(host);
            }
            InetAddress[] out = new InetAddress[literals.size()];
            for (int i = 0; i < out.length; i++) {
                // a literal address with the host name attached, the way DNS answers come back; no lookup
                out[i] = InetAddress.getByAddress(host, InetAddress.getByName(literals.get(i)).getAddress());
            }
            return out;
        }
    }

    private static final Map<String, List<String>> DNS = Map.of(
            "smtp.example.com", List.of("93.184.215.14"),
            "mail.example.net", List.of("2606:2800:21f:cb07::1"),
            "twice.example.com", List.of("93.184.215.14", "93.184.215.15"),
            "internal.example.com", List.of("10.1.2.3"),
            "metadata.example.com", List.of("169.254.169.254"),
            "metadata6.example.com", List.of("fd00:ec2::254"),
            "rebind.example.com", List.of("93.184.215.14", "127.0.0.1"),
            "rebind-late.example.com", List.of("93.184.215.14", "93.184.215.15", "192.168.0.10"),
            "mapped.example.com", List.of("::ffff:169.254.169.254"),
            "localhost", List.of("127.0.0.1", "::1"));

    // --- normalize --------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
            "smtp.example.com,        smtp.example.com",
            "SMTP.Example.COM,        smtp.example.com",
            "'  smtp.example.com  ',  smtp.example.com",
            "smtp.example.com.,       smtp.example.com",
            "' SMTP.EXAMPLE.com. ',   smtp.example.com",
            "[::1],                   ::1",
            "[2001:DB8::1],           2001:db8::1",
            "'[FD00:EC2::254] ',      fd00:ec2::254",
            "192.0.2.1,               192.0.2.1",
    })
    void normalizesHost(String input, String normalized) {
        assertEquals(normalized, SmtpHostPolicy.normalize(input));
    }

    @Test
    void normalizeIsIdempotent() {
        for (String host : List.of(" Mail.Example.com. ", "[FE80::1]", "10.0.0.1")) {
            String once = SmtpHostPolicy.normalize(host);
            assertEquals(once, SmtpHostPolicy.normalize(once));
        }
    }

    // --- refusalOnSave ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "smtp.example.com",
            "smtp.gmail.com",
            "smtp.office365.com",
            "mail.example.co.uk",
            "a.b",
            "xn--bcher-kva.example",
            "mail-1.example-host.com",
            "123.example.com",
            "10.0.0.1.example.com",
    })
    void allowsPublicNames(String host) {
        assertEquals(Optional.empty(), policy().refusalOnSave(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "8.8.8.8",
            "1.1.1.1",
            "93.184.215.14",
            "172.15.255.255",   // just below 172.16/12
            "172.32.0.1",       // just above 172.16/12
            "100.63.255.255",   // just below 100.64/10
            "100.128.0.1",      // just above 100.64/10
            "169.253.255.255",
            "169.255.0.1",
            "192.169.0.1",
            "11.0.0.1",
            "126.255.255.255",
            "128.0.0.1",
            "223.255.255.254",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82a::200e",
            "::ffff:8.8.8.8",
    })
    void allowsPublicAddressLiterals(String host) {
        assertEquals(Optional.empty(), policy().refusalOnSave(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",  // AWS, GCP and Azure instance metadata
            "169.254.170.2",    // ECS task metadata
            "169.254.0.1",
            "100.64.0.1",       // carrier-grade NAT
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",        // multicast
            "239.255.255.250",
            "240.0.0.1",        // reserved
            "255.255.255.255",  // broadcast
            "192.0.0.1",
            "192.0.2.1",        // TEST-NET-1
            "198.18.0.1",       // benchmarking
            "198.51.100.7",
            "203.0.113.9",
            "::1",
            "::",
            "fe80::1",          // link-local
            "fd00:ec2::254",    // AWS IPv6 instance metadata
            "fc00::1",
            "fdff:ffff::1",
            "ff02::1",          // multicast
            "2001:db8::1",      // documentation
            "::ffff:127.0.0.1", // IPv4-mapped loopback
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::ffff:7f00:1",
            "::127.0.0.1",      // IPv4-compatible loopback
            "64:ff9b::a9fe:a9fe", // NAT64 of the metadata address
            "0:0:0:0:0:0:0:1",
    })
    void refusesNonPublicAddressLiterals(String host) {
        assertEquals(Optional.of("smtp.host.private"), policy().refusalOnSave(host));
    }

    /** Zero-padded literals read differently across resolvers (and JDKs): refused either way, never looked up. */
    @ParameterizedTest
    @ValueSource(strings = {"127.000.000.001", "010.0.0.1", "0127.0.0.1", "192.168.001.001"})
    void refusesZeroPaddedPrivateLiterals(String host) {
        assertTrue(policy().refusalOnSave(host).isPresent(), host);
        assertTrue(policy().resolveForConnect(host) instanceof Resolution.Refused
                || policy().resolveForConnect(host) instanceof Resolution.Unresolvable, host);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "exa mple.com",
            "-bad.com",
            "bad-.com",
            "a..b",
            ".example.com",
            "http://x.com",
            "host:25",
            "smtp.example.com:587",
            "smtp.example.com/path",
            "user@smtp.example.com",
            "smtp_1.example.com",
            "smtp.example.com\r\nRCPT TO:<x@example.com>",
            "smtp.example.com\n",
            "bücher.example",
            "",
            "256.1.1.1",
            "1.2.3.4.5",
            "127.1",
            "2130706433",
            "0x7f.0.0.1",
            "example.123",
            "[::1]",
            "not:an:address",
            "::ffff:999.0.0.1",
            "12345::1",
    })
    void refusesMalformedHosts(String host) {
        assertEquals(Optional.of("smtp.host.syntax"), policy().refusalOnSave(host),
                host.replace("\r", "\\r").replace("\n", "\\n"));
    }

    @Test
    void refusesOverlongLabelsAndNames() {
        String label63 = "a".repeat(63);
        assertEquals(Optional.empty(), policy().refusalOnSave(label63 + ".com"));
        assertEquals(Optional.of("smtp.host.syntax"), policy().refusalOnSave("a".repeat(64) + ".com"));

        String name253 = label63 + "." + label63 + "." + label63 + "." + "b".repeat(61);
        assertEquals(253, name253.length());
        assertEquals(Optional.empty(), policy().refusalOnSave(name253));
        assertEquals(Optional.of("smtp.host.syntax"), policy().refusalOnSave(name253 + "b"));
    }

    /**
     * Numbers that resolvers read differently: a leading zero is octal to inet_aton and to some URL parsers and
     * decimal to others (012.0.0.1: 10.0.0.1 or 12.0.0.1), and inet_aton also takes hex, fewer than four parts
     * and one 32-bit number. None is a canonical address or a DNS name: a syntax error whatever the policy, and
     * never looked up.
     */
    @ParameterizedTest
    @ValueSource(strings = {"012.0.0.1", "0177.0.0.1", "00.0.0.0", "1.02.3.4", "8.8.8.08", "127.0.0.01",
            "093.184.215.14", "0x7f.1", "0x7f000001", "0x7f.0x0.0x0.0x1", "127.0x1", "1.0x7f", "8.8.8.0x8", "0x",
            "2130706433", "017700000001", "127.1", "127.0.1", "example.0x1f", "::ffff:012.0.0.1",
            "::ffff:8.8.8.08", "::ffff:127.0.0.01", "fe80::1%eth0", "::1%1"})
    void refusesNonCanonicalNumericHostsAsSyntax(String host) {
        assertEquals(Optional.of("smtp.host.syntax"), policy().refusalOnSave(host), host);
        assertEquals(Optional.of("smtp.host.syntax"), permissive().refusalOnSave(host), host);
        assertEquals(new Resolution.Unresolvable(), policy().resolveForConnect(host), host);
        assertEquals(new Resolution.Unresolvable(), permissive().resolveForConnect(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "10.0.0.1", "100.0.0.1", "8.8.8.8", "93.184.215.14", "255.255.255.255",
            "::ffff:8.8.8.8", "::ffff:0.0.0.0"})
    void canonicalAddressesAreReadAsAddresses(String host) throws Exception {
        assertEquals(new Resolution.Allowed(InetAddress.getByName(host)), permissive().resolveForConnect(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0xdead.example.com", "0x1.example", "mail0.example.com", "1x.example", "smtp.0xfe.example"})
    void namesWithHexLookingLabelsAreStillNames(String host) {
        assertEquals(Optional.empty(), policy().refusalOnSave(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "mail.localhost", "mailhog", "smtp"})
    void refusesLocalNamesUnlessPrivateHostsAreAllowed(String host) {
        assertEquals(Optional.of("smtp.host.private"), policy().refusalOnSave(host));
        assertEquals(Optional.empty(), permissive().refusalOnSave(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "::1", "fd00:ec2::254"})
    void allowsPrivateLiteralsWhenPrivateHostsAreAllowed(String host) {
        assertEquals(Optional.empty(), permissive().refusalOnSave(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exa mple.com", "host:25", "-bad.com"})
    void allowingPrivateHostsDoesNotRelaxSyntax(String host) {
        assertEquals(Optional.of("smtp.host.syntax"), permissive().refusalOnSave(host));
    }

    // --- resolveForConnect ------------------------------------------------------------------------------

    @Test
    void connectsToTheResolvedPublicAddress() throws Exception {
        TableResolver dns = new TableResolver(DNS);
        Resolution resolution = new SmtpHostPolicy(false, dns).resolveForConnect("smtp.example.com");
        Resolution.Allowed allowed = assertInstanceOf(Resolution.Allowed.class, resolution);
        assertEquals(InetAddress.getByName("93.184.215.14"), allowed.address());
        assertEquals(List.of("smtp.example.com"), dns.asked);
    }

    @Test
    void connectsToAPublicIpv6Answer() throws Exception {
        Resolution resolution = new SmtpHostPolicy(false, new TableResolver(DNS)).resolveForConnect("mail.example.net");
        assertEquals(new Resolution.Allowed(InetAddress.getByName("2606:2800:21f:cb07::1")), resolution);
    }

    @Test
    void connectsToTheFirstOfSeveralPublicAddresses() throws Exception {
        Resolution resolution = new SmtpHostPolicy(false, new TableResolver(DNS)).resolveForConnect("twice.example.com");
        assertEquals(new Resolution.Allowed(InetAddress.getByName("93.184.215.14")), resolution);
    }

    @ParameterizedTest
    @ValueSource(strings = {"internal.example.com", "metadata.example.com", "metadata6.example.com", "mapped.example.com",
            "localhost"})
    void refusesANameThatResolvesToAPrivateAddress(String host) {
        assertEquals(new Resolution.Refused(), new SmtpHostPolicy(false, new TableResolver(DNS)).resolveForConnect(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rebind.example.com", "rebind-late.example.com"})
    void refusesANameWithOnePublicAndOnePrivateAddress(String host) {
        assertEquals(new Resolution.Refused(), new SmtpHostPolicy(false, new TableResolver(DNS)).resolveForConnect(host));
    }

    @Test
    void aNameThatDoesNotResolveIsUnresolvable() {
        TableResolver dns = new TableResolver(DNS);
        assertEquals(new Resolution.Unresolvable(), new SmtpHostPolicy(false, dns).resolveForConnect("nxdomain.example.com"));
        assertEquals(List.of("nxdomain.example.com"), dns.asked);
    }

    @Test
    void aNameWithoutAddressesIsUnresolvable() {
        SmtpHostPolicy policy = new SmtpHostPolicy(false, host -> new InetAddress[0]);
        assertEquals(new Resolution.Unresolvable(), policy.resolveForConnect("empty.example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exa mple.com", "host:25", "-bad.com", "a..b"})
    void malformedHostsAreNeverLookedUp(String host) {
        assertEquals(new Resolution.Unresolvable(), policy().resolveForConnect(host));
    }

    @ParameterizedTest
    @CsvSource({
            "93.184.215.14,        true",
            "2001:4860:4860::8888, true",
            "127.0.0.1,            false",
            "169.254.169.254,      false",
            "fd00:ec2::254,        false",
            "::1,                  false",
            "::ffff:127.0.0.1,     false",
            "0.0.0.0,              false",
    })
    void literalsAreCheckedWithoutALookup(String host, boolean allowed) throws Exception {
        Resolution resolution = policy().resolveForConnect(host);
        if (allowed) {
            assertEquals(new Resolution.Allowed(InetAddress.getByName(host)), resolution);
        } else {
            assertEquals(new Resolution.Refused(), resolution);
        }
    }

    @Test
    void allowingPrivateHostsLetsLoopbackThrough() throws Exception {
        SmtpHostPolicy policy = new SmtpHostPolicy(true, new TableResolver(DNS));
        assertEquals(new Resolution.Allowed(InetAddress.getByName("127.0.0.1")), policy.resolveForConnect("localhost"));
        assertEquals(new Resolution.Allowed(InetAddress.getByName("127.0.0.1")), policy.resolveForConnect("127.0.0.1"));
        assertEquals(new Resolution.Allowed(InetAddress.getByName("::1")), policy.resolveForConnect("::1"));
        assertEquals(new Resolution.Allowed(InetAddress.getByName("10.1.2.3")),
                policy.resolveForConnect("internal.example.com"));
    }

    @Test
    void allowingPrivateHostsStillReportsUnknownNames() {
        SmtpHostPolicy policy = new SmtpHostPolicy(true, new TableResolver(DNS));
        assertEquals(new Resolution.Unresolvable(), policy.resolveForConnect("nxdomain.example.com"));
    }

    @Test
    void everyRefusedLiteralOnSaveIsRefusedOnConnect() {
        List<String> refusedOnConnect = new ArrayList<>();
        for (String host : Arrays.asList("127.0.0.1", "169.254.169.254", "fd00:ec2::254", "::ffff:127.0.0.1", "100.64.0.1")) {
            assertTrue(policy().refusalOnSave(host).isPresent(), host);
            if (policy().resolveForConnect(host) instanceof Resolution.Refused) {
                refusedOnConnect.add(host);
            }
        }
        assertEquals(5, refusedOnConnect.size(), refusedOnConnect::toString);
    }
}
