export function CampaignDetailScreen() { return null; }
