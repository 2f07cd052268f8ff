package com.deliverychannels.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Server;

import com.almworks.sqlite4java.SQLite;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local running in this process, in memory, on loopback: the table of local runs and tests.
 * DynamoDB Local is a {@code provided} dependency, so this class only works where dev mode or tests put
 * it on the class path; nothing in the packaged functions refers to it.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {
    private static final String SQLITE_VERSION = "1.0.392";
    private static final String SQLITE_LIBRARY = "libsqlite4java-linux-amd64-" + SQLITE_VERSION + ".so";

    private final DynamoDBProxyServer server;
    private final int port;

    private EmbeddedDynamoDb(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts DynamoDB Local on {@code 127.0.0.1:port}. */
    public static EmbeddedDynamoDb start(int port) {
        prepareSqliteLibrary();
        try {
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-port", Integer.toString(port), "-disableTelemetry"});
            bindToLoopback(server);
            server.start();
            return new EmbeddedDynamoDb(server, port);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on port " + port, e);
        }
    }

    /** The endpoint to give the DynamoDB client. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop", e);
        }
    }

    /**
     * Jetty binds every interface by default and DynamoDB Local has no option for it; its connector is
     * reachable only through the private {@code server} field, set before start.
     */
    private static void bindToLoopback(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server jetty = (Server) field.get(proxy);
        for (var connector : jetty.getConnectors()) {
            if (connector instanceof ServerConnector network) {
                network.setHost("127.0.0.1");
            }
        }
    }

    /**
     * sqlite4java loads its JNI library from the folder named by {@code sqlite4java.library.path}. Maven
     * keeps that library beside the sqlite4java jar in the local repository; copy it to a temporary folder.
     */
    private static synchronized void prepareSqliteLibrary() {
        if (System.getProperty("sqlite4java.library.path") != null) {
            return;
        }
        try {
            Path jar = Path.of(SQLite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../com/almworks/sqlite4java/sqlite4java/1.0.392/sqlite4java-1.0.392.jar
            Path library = jar.getParent().getParent().getParent()
                    .resolve("libsqlite4java-linux-amd64").resolve(SQLITE_VERSION).resolve(SQLITE_LIBRARY);
            if (!Files.isRegularFile(library)) {
                throw new IllegalStateException("sqlite4java native library not found at " + library);
            }
            Path folder = Files.createTempDirectory("sqlite4java");
            Files.copy(library, folder.resolve(SQLITE_LIBRARY), StandardCopyOption.REPLACE_EXISTING);
            folder.toFile().deleteOnExit();
            folder.resolve(SQLITE_LIBRARY).toFile().deleteOnExit();
            System.setProperty("sqlite4java.library.path", folder.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
