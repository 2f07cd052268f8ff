package com.deliverychannels.mail;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.channel.SmtpHostPolicy;

/** Host names resolved through the system's resolver (Lambda's VPC or public DNS). */
@ApplicationScoped
public class DnsHostResolver implements SmtpHostPolicy.HostResolver {
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return InetAddress.getAllByName(host);
    }
}
