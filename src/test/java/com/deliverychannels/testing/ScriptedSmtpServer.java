package com.deliverychannels.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw-socket SMTP server on {@code 127.0.0.1} at a free port that answers from a script, for the faults a
 * real server library will not produce: a refusing greeting, a {@code 421} to EHLO, a {@code 454} to AUTH, a
 * server that never speaks, one that hangs up. Each connection gets its own thread and plays the script from
 * the start.
 *
 * <pre>{@code
 * try (ScriptedSmtpServer smtp = ScriptedSmtpServer.greeting("220 test ESMTP")
 *         .on("EHLO", "250-test", "250 STARTTLS")
 *         .onStartTls()
 *         .on("AUTH", "454 4.7.0 Temporary authentication failure")
 *         .start()) { ... }
 * }</pre>
 *
 * Commands that match no step get {@code 502}, except QUIT, which gets {@code 221} and ends the connection.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    /** RFC 5321 §4.1 and the extensions a client may use; anything else is a SASL response, not recorded. */
    private static final Set<String> VERBS = Set.of("EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "VRFY",
            "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH");

    private final Script script;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private ScriptedSmtpServer(Script script) throws IOException {
        this.script = script;
        this.listener = script.implicitTls
                ? TestSmtpServer.serverSslContext().getServerSocketFactory().createServerSocket()
                : new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
        spawn("scripted-smtp-accept", this::accept);
    }

    /** A script that starts by sending these greeting lines. */
    public static Script greeting(String... lines) {
        return new Script(List.of(lines));
    }

    /** A server that accepts the TCP connection and never says anything, not even a TLS handshake. */
    public static ScriptedSmtpServer silent() {
        return new Script(null).start();
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /**
     * The verbs of the commands received over all connections, upper-cased, in order ({@code EHLO},
     * {@code AUTH}, ...). Arguments are left out because AUTH lines carry credentials, and the client's lines
     * inside a multi-step AUTH exchange are not recorded at all.
     */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        open.forEach(ScriptedSmtpServer::closeQuietly);
        for (Thread thread : threads) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                spawn("scripted-smtp-connection", () -> converse(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void converse(Socket socket) {
        Socket current = socket;
        try {
            if (script.greeting == null) {
                // Hold the line open, saying nothing, until the client or close() ends it.
                while (current.getInputStream().read() >= 0) {
                    // discard
                }
                return;
            }
            BufferedReader in = reader(current);
            OutputStream out = current.getOutputStream();
            write(out, script.greeting);
            if (script.closeAfterGreeting) {
                return;
            }
            String line;
            while ((line = in.readLine()) != null) {
                Step step = script.stepFor(line);
                if (VERBS.contains(verb(line))) {
                    commands.add(verb(line));
                }
                if (step == null) {
                    if (verb(line).equals("QUIT")) {
                        write(out, List.of("221 2.0.0 bye"));
                        return;
                    }
                    write(out, List.of("502 5.5.1 not in this script"));
                    continue;
                }
                switch (step.action) {
                    case REPLY -> write(out, step.reply.apply(line));
                    case HANG_UP -> {
                        return;
                    }
                    case RESET -> {
                        // Linger 0 makes close() send RST, without a TLS close_notify first.
                        socket.setSoLinger(true, 0);
                        socket.close();
                        return;
                    }
                    case START_TLS -> {
                        write(out, List.of("220 2.0.0 ready to start TLS"));
                        current = upgrade(current);
                        open.add(current);
                        in = reader(current);
                        out = current.getOutputStream();
                    }
                }
            }
        } catch (IOException e) {
            // The client went away or close() closed the socket: the conversation is over either way.
        } finally {
            closeQuietly(current);
            closeQuietly(socket);
            open.remove(current);
            open.remove(socket);
        }
    }

    private static SSLSocket upgrade(Socket plain) throws IOException {
        SSLContext context = TestSmtpServer.serverSslContext();
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        tls.setUseClientMode(false);
        tls.startHandshake();
        return tls;
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private void write(OutputStream out, List<String> lines) throws IOException {
        StringBuilder reply = new StringBuilder();
        lines.forEach(line -> reply.append(line).append("\r\n"));
        byte[] bytes = reply.toString().getBytes(StandardCharsets.UTF_8);
        if (script.trickle == null) {
            out.write(bytes);
            out.flush();
            return;
        }
        for (byte b : bytes) {
            out.write(b);
            out.flush();
            try {
                Thread.sleep(script.trickle.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private static String verb(String line) {
        String trimmed = line.strip();
        int space = trimmed.indexOf(' ');
        return (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    private void spawn(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already closed, or nothing useful to do about it in a test server
        }
    }

    private enum Action { REPLY, HANG_UP, RESET, START_TLS }

    private record Step(String prefix, Action action, Function<String, List<String>> reply) {
        boolean matches(String line) {
            return line.regionMatches(true, 0, prefix, 0, prefix.length());
        }
    }

    /** The server's side of the conversation, built step by step; the first step whose prefix matches wins. */
    public static final class Script {
        private final List<String> greeting;
        private final List<Step> steps = new ArrayList<>();
        private boolean implicitTls;
        private boolean closeAfterGreeting;
        private Duration trickle;

        private Script(List<String> greeting) {
            this.greeting = greeting;
        }

        /** Answers a command starting with {@code commandPrefix} (case-insensitive) with these reply lines. */
        public Script on(String commandPrefix, String... replyLines) {
            List<String> reply = List.of(replyLines);
            steps.add(new Step(commandPrefix, Action.REPLY, line -> reply));
            return this;
        }

        /** Answers a command starting with {@code commandPrefix} with the lines the function returns for it. */
        public Script on(String commandPrefix, Function<String, List<String>> reply) {
            steps.add(new Step(commandPrefix, Action.REPLY, reply));
            return this;
        }

        /** Closes the connection without a reply when a command starts with {@code commandPrefix}. */
        public Script hangUpOn(String commandPrefix) {
            steps.add(new Step(commandPrefix, Action.HANG_UP, null));
            return this;
        }

        /**
         * Resets the TCP connection (RST) without a reply when a command starts with {@code commandPrefix}. After
         * {@link #onStartTls()} no TLS close_notify precedes it; with {@link #implicitTls()} one does.
         */
        public Script resetOn(String commandPrefix) {
            steps.add(new Step(commandPrefix, Action.RESET, null));
            return this;
        }

        /** Answers STARTTLS with {@code 220} and continues the script over TLS with the test certificate. */
        public Script onStartTls() {
            steps.add(new Step("STARTTLS", Action.START_TLS, null));
            return this;
        }

        /** Speaks TLS from the first byte, with the test certificate. */
        public Script implicitTls() {
            this.implicitTls = true;
            return this;
        }

        /**
         * Sends every reply one byte at a time with this pause after each byte: a server slow enough to hold a
         * client for long without ever leaving a single read waiting longer than the pause.
         */
        public Script trickle(Duration pauseAfterEachByte) {
            this.trickle = pauseAfterEachByte;
            return this;
        }

        /** Closes the connection right after the greeting. */
        public Script thenClose() {
            this.closeAfterGreeting = true;
            return this;
        }

        public ScriptedSmtpServer start() {
            try {
                return new ScriptedSmtpServer(this);
            } catch (IOException e) {
                throw new IllegalStateException("the scripted SMTP server did not start", e);
            }
        }

        private Step stepFor(String line) {
            return steps.stream().filter(step -> step.matches(line)).findFirst().orElse(null);
        }
    }

    /** A server that greets, offers STARTTLS and AUTH, and accepts any credentials: scripts add what follows. */
    public static Script upToAuthentication() {
        return greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250-ENHANCEDSTATUSCODES", "250 AUTH PLAIN LOGIN")
                .onStartTls()
                .on("AUTH", "235 2.7.0 Authentication successful");
    }

    /** A loopback port nothing listens on (free a moment ago): connecting to it is refused. */
    public static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
