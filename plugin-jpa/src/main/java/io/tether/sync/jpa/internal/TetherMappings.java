package io.tether.sync.jpa.internal;

import org.hibernate.boot.ResourceStreamLocator;
import org.hibernate.boot.spi.AdditionalMappingContributions;
import org.hibernate.boot.spi.AdditionalMappingContributor;
import org.hibernate.boot.spi.InFlightMetadataCollector;
import org.hibernate.boot.spi.MetadataBuildingContext;

/**
 * Adds Tether's tables ({@link TetherRows}) to every persistence unit built with plugin-jpa on the class path,
 * so the application neither lists them nor writes their DDL when it lets Hibernate manage its schema.
 */
public final class TetherMappings implements AdditionalMappingContributor {
    @Override
    public String getContributorName() {
        return "tether";
    }

    @Override
    public void contribute(AdditionalMappingContributions contributions, InFlightMetadataCollector metadata,
                           ResourceStreamLocator resourceStreamLocator, MetadataBuildingContext buildingContext) {
        contributions.contributeEntity(TetherRows.ReplicaRecord.class);
        contributions.contributeEntity(TetherRows.Outbox.class);
        contributions.contributeEntity(TetherRows.OutboxSent.class);
        contributions.contributeEntity(TetherRows.ReplicaWaiting.class);
        contributions.contributeEntity(TetherRows.ReplicaState.class);
        contributions.contributeEntity(TetherRows.ReplicaSequence.class);
        contributions.contributeEntity(TetherRows.CaptureJournal.class);
        contributions.contributeEntity(TetherRows.HubRecord.class);
        contributions.contributeEntity(TetherRows.ChangeLog.class);
        contributions.contributeEntity(TetherRows.Dedup.class);
        contributions.contributeEntity(TetherRows.DedupRun.class);
        contributions.contributeEntity(TetherRows.HubState.class);
    }
}
