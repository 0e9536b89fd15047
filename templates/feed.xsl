<?xml version="1.0" encoding="UTF-8"?>
<!-- Makes rss.xml and atom.xml readable when opened in a browser. Feed readers ignore it.
     Copied to the output as feed.xsl; a template folder may replace it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <xsl:variable name="subtitle" select="rss/channel/description | atom:feed/atom:subtitle"/>
    <xsl:variable name="site"
        select="rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href"/>
    <xsl:variable name="self"
        select="rss/channel/atom:link[@rel='self']/@href | atom:feed/atom:link[@rel='self']/@href"/>
    <html lang="{rss/channel/language | atom:feed/@xml:lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>
          body { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; font: 17px/1.5 Georgia, serif; color: #1d1d1b; background: #fbfaf7; }
          .about { font: 14px/1.5 Arial, sans-serif; background: #f1ece1; border-radius: 6px; padding: .75rem 1rem; }
          .about code { word-break: break-all; }
          h1 { margin-bottom: .25rem; }
          .subtitle { color: #6b6256; margin-top: 0; }
          article { border-top: 1px solid #ddd6c8; padding: .5rem 0; }
          h2 { font-size: 1.2rem; margin: .5rem 0 .25rem; }
          h2 a { color: inherit; }
          .meta { font: 13px Arial, sans-serif; color: #6b6256; margin: 0; }
          @media (prefers-color-scheme: dark) {
            body { background: #1b1a18; color: #ece8df; }
            .about { background: #2a2824; }
            .subtitle, .meta { color: #b5ad9f; }
          }
        </style>
      </head>
      <body>
        <p class="about">This is a web feed. To follow
          <strong><xsl:value-of select="$title"/></strong> in a feed reader, copy this
          address into it: <code><xsl:value-of select="$self"/></code></p>
        <h1><a href="{$site}"><xsl:value-of select="$title"/></a></h1>
        <p class="subtitle"><xsl:value-of select="$subtitle"/></p>
        <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
      <p class="meta"><xsl:value-of select="pubDate"/>
        <xsl:for-each select="dc:creator"> · <xsl:value-of select="."/></xsl:for-each></p>
      <!-- An RSS description is escaped HTML (ours holds no markup, only escaped text). -->
      <p><xsl:value-of select="description" disable-output-escaping="yes"/></p>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <p class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/>
        <xsl:for-each select="atom:author"> · <xsl:value-of select="atom:name"/></xsl:for-each></p>
      <p><xsl:value-of select="atom:summary"/></p>
    </article>
  </xsl:template>
</xsl:stylesheet>
