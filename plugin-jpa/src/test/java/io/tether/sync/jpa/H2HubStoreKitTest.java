package io.tether.sync.jpa;

import io.tether.sync.spi.HubStore;
import io.tether.sync.tck.HubStoreKit;
import io.tether.sync.tck.StoreFeatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The TCK's hub store kit on JpaHubStore over H2. */
class H2HubStoreKitTest extends HubStoreKit {
    private static TckDatabases databases;

    @BeforeAll
    static void databases() {
        databases = new TckDatabases(H2HubStoreKitTest.class, false);
    }

    @AfterAll
    static void dropDatabases() {
        databases.close();
    }

    @Override
    protected HubStore createHubStore() {
        return databases.hub();
    }

    @Override
    protected HubStore reopen(HubStore closed) {
        return (HubStore) databases.reopen(closed);
    }

    @Override
    protected StoreFeatures features() {
        return StoreFeatures.defaults().withRestart();
    }
}
