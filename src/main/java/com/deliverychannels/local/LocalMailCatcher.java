package com.deliverychannels.local;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.subethamail.smtp.server.SMTPServer;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Dev mode: an SMTP server on loopback that plays our relay and keeps every message it receives, so MSC
 * sends can be read at {@code http://localhost:8080/_local/mail}. Point {@code quarkus.mailer.*} at a real
 * relay to send for real instead.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class LocalMailCatcher {
    private static final Logger LOG = Logger.getLogger(LocalMailCatcher.class);
    private static final int KEPT = 200;

    /** One message as one recipient's copy arrived. */
    public record Caught(Instant at, String envelopeFrom, String recipient, Map<String, String> headers, String raw) {
    }

    private final List<Caught> caught = new CopyOnWriteArrayList<>();
    private SMTPServer server;

    void start(@Observes StartupEvent event, @ConfigProperty(name = "quarkus.mailer.host") String host,
            @ConfigProperty(name = "quarkus.mailer.port") int port) throws Exception {
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            LOG.infof("MSC relay is %s:%d; the local mail catcher stays off", host, port);
            return;
        }
        server = SMTPServer.port(port).bindAddress(InetAddress.getByName("127.0.0.1"))
                .hostName("local-relay.delivery-channels.local")
                .messageHandler((context, from, to, data) -> keep(from, to, data))
                .build();
        server.start();
        LOG.infof("Local mail catcher on 127.0.0.1:%d; read caught MSC mail at /_local/mail", port);
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.stop();
        }
    }

    /** Caught messages, newest first. */
    public List<Caught> caught() {
        List<Caught> newestFirst = new ArrayList<>(caught);
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    private void keep(String from, String to, byte[] data) {
        String raw = new String(data, StandardCharsets.UTF_8);
        caught.add(new Caught(Instant.now(), from, to, headers(raw), raw));
        while (caught.size() > KEPT) {
            caught.remove(0);
        }
    }

    /** The header section, unfolded (RFC 5322 §2.2.3), first occurrence of each name. */
    private static Map<String, String> headers(String raw) {
        Map<String, String> headers = new LinkedHashMap<>();
        int end = raw.indexOf("\r\n\r\n");
        String section = (end < 0 ? raw : raw.substring(0, end)).replaceAll("\r\n[ \t]+", " ");
        for (String line : section.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }
}
