package com.deliverychannels.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;

import com.deliverychannels.local.EmbeddedDynamoDb;
import com.deliverychannels.store.TableLayout;
import com.deliverychannels.testing.aws.AwsPolicyProxy;
import com.deliverychannels.testing.aws.IamPolicy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local in this JVM, on a free loopback port, with the table created from {@link TableLayout};
 * every {@code @QuarkusTest} talks to it through the standard endpoint-override key.
 */
public class DynamoDbLocalResource implements QuarkusTestResourceLifecycleManager {
    public static final String TABLE = "delivery-channels-test";
    private static EmbeddedDynamoDb server;
    private static AwsPolicyProxy proxy;

    @Override
    public synchronized Map<String, String> start() {
        if (server == null) {
            server = EmbeddedDynamoDb.start(freePort());
            try (DynamoDbClient client = client()) {
                TableLayout.createIfAbsent(client, TABLE);
            }
            // The product reaches the table through a proxy that allows everything but answers the faults a test
            // injects on the wire (AwsFault); tests read and seed the table directly (client()).
            proxy = AwsPolicyProxy.start(server.endpoint(), IamPolicy.allowAll());
        }
        return Map.of("quarkus.dynamodb.endpoint-override", proxy.endpoint(), "delivery.table", TABLE);
    }

    @Override
    public void stop() {
        // Kept for the whole test JVM: several Quarkus restarts (test profiles) share one table.
    }

    /** The proxy between the product and DynamoDB Local, for a test to inject DynamoDB's error answers. */
    public static AwsPolicyProxy proxy() {
        return proxy;
    }

    /** A client of the embedded DynamoDB for tests that check what was written. */
    public static DynamoDbClient client() {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** A loopback port free a moment ago, for DynamoDB Local to listen on. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
