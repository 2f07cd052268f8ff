package com.deliverychannels.channel;

import java.net.InetAddress;

/**
 * A vetted place to connect to: the host name (for TLS server-name indication and certificate checks) and
 * the address the policy allowed (the one actually connected to).
 */
public record SmtpEndpoint(String host, InetAddress address, int port, SmtpSecurity security) {
}
