"""The SQLite layer of newsmon: schema, migrations and queries. Knows nothing of Scrapy."""
