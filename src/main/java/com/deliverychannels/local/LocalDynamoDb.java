package com.deliverychannels.local;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.deliverychannels.config.LocalConfig;
import com.deliverychannels.config.TableConfig;
import com.deliverychannels.store.TableLayout;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Dev mode: DynamoDB Local in this process, in memory, with the table created from {@link TableLayout}.
 * It starts before the first request uses the table (the client connects lazily) and stops with the
 * application, so every live reload starts from an empty table.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class LocalDynamoDb {
    private static final Logger LOG = Logger.getLogger(LocalDynamoDb.class);

    private EmbeddedDynamoDb server;

    void start(@Observes @jakarta.annotation.Priority(1) StartupEvent event, LocalConfig local, TableConfig table,
            DynamoDbClient dynamo) {
        server = EmbeddedDynamoDb.start(local.dynamodbPort());
        TableLayout.createIfAbsent(dynamo, table.table());
        LOG.infof("DynamoDB Local (in memory) on %s with table %s", server.endpoint(), table.table());
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
    }
}
