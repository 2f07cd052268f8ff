package com.deliverychannels.mail;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A blocking SMTP client connection that reads and writes whole commands and replies, with time-outs on
 * connect and on every read. It never logs what it sends (commands can carry credentials).
 */
final class SmtpConnection implements Closeable {
    /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; allow generous slack, but bound it. */
    private static final int MAX_LINE = 4096;
    private static final int MAX_LINES = 200;

    private final String host;
    private final int port;
    private final long deadline;
    private final List<String> secrets = new ArrayList<>();
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpConnection(String host, int port, Socket socket, long deadline) throws IOException {
        this.host = host;
        this.port = port;
        this.deadline = deadline;
        use(socket);
    }

    /**
     * Connects to {@code address}; {@code host} is the name the TLS certificate must carry. The whole
     * conversation must end within {@code budget}: a server that trickles its replies a byte at a time
     * cannot hold the caller longer than that.
     */
    static SmtpConnection open(String host, InetSocketAddress address, Duration timeout, Duration budget)
            throws IOException {
        long deadline = System.nanoTime() + budget.toNanos();
        Socket socket = new Socket();
        try {
            socket.connect(address, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return new SmtpConnection(host, address.getPort(), socket, deadline);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Starts TLS on the connection (at once for implicit TLS, after {@code 220} to STARTTLS otherwise),
     * checking the server's certificate against the host name as HTTPS does (RFC 6125).
     */
    void startTls() throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("no TLS available", e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isAddressLiteral(host)) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        tls.setSSLParameters(parameters);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
    }

    /**
     * Values that must never come back out of this connection: a server that echoes an AUTH command in its
     * reply would otherwise hand the credentials to whoever reads the reply.
     */
    void redact(String... values) {
        for (String value : values) {
            if (value != null && !value.isEmpty()) {
                secrets.add(value);
            }
        }
    }

    /** Reads one complete reply. */
    SmtpReply read() throws IOException {
        List<String> lines = new ArrayList<>();
        int code;
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2))) {
                throw new IOException("not an SMTP reply");
            }
            code = Integer.parseInt(line.substring(0, 3));
            lines.add(withoutSecrets(line.length() > 4 ? line.substring(4) : ""));
            boolean last = line.length() == 3 || line.charAt(3) != '-';
            if (last) {
                return new SmtpReply(code, List.copyOf(lines));
            }
            if (lines.size() >= MAX_LINES) {
                throw new IOException("SMTP reply too long");
            }
        }
    }

    /** Sends one command line and reads its reply. */
    SmtpReply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void use(Socket next) throws IOException {
        this.socket = next;
        this.in = new java.io.BufferedInputStream(next.getInputStream());
        this.out = next.getOutputStream();
    }

    private String withoutSecrets(String line) {
        String clean = line;
        for (String secret : secrets) {
            clean = clean.replace(secret, "[redacted]");
        }
        return clean;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new java.net.SocketTimeoutException("the conversation took too long");
            }
            socket.setSoTimeout((int) Math.min(left, Math.max(1, socket.getSoTimeout())));
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b == '\n' && previous == '\r') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("SMTP reply line too long");
            }
            line.write(b);
            previous = b;
        }
    }

    private static boolean isAddressLiteral(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
