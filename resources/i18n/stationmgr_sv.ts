<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="sv_SE">
<context>
    <name />
    <message>
        <location filename="../../ui/access/session.py" line="80" />
        <source>&amp;Session</source>
        <translation>&amp;Pass</translation>
    </message>
    <message>
        <location filename="../../ui/access/session.py" line="83" />
        <source>Change password…</source>
        <translation>Byt lösenord…</translation>
    </message>
    <message>
        <location filename="../../ui/access/session.py" line="85" />
        <source>Operators…</source>
        <translation>Operatörer…</translation>
    </message>
</context>
<context>
    <name>AccountantView</name>
    <message>
        <location filename="../../ui/billing/accountant.py" line="149" />
        <source>Show</source>
        <translation>Visa</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="150" />
        <source>Save PDF…</source>
        <translation>Spara PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="151" />
        <source>Save CSV…</source>
        <translation>Spara CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="152" />
        <source>Print…</source>
        <translation>Skriv ut…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="153" />
        <source>Export SIE…</source>
        <translation>Exportera SIE…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="154" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="155" />
        <source>Verify ledger</source>
        <translation>Kontrollera huvudboken</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="156" />
        <source>Reconcile</source>
        <translation>Stäm av</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="159" />
        <source>Receipt…</source>
        <translation>Kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="170" />
        <source>Month</source>
        <translation>Månad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="187" />
        <source>Session</source>
        <translation>Laddning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="212" />
        <source>Month summary (whole site)</source>
        <translation>Månadssammanställning (hela platsen)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="215" />
        <source>Group: {0}</source>
        <translation>Grupp: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="217" />
        <source>Holder: {0}</source>
        <translation>Innehavare: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="225" />
        <source>Computing…</source>
        <translation>Beräknar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="260" />
        <source>Failed: {0}</source>
        <translation>Misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="269" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="275" />
        <source>Save</source>
        <translation>Spara</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="282" />
        <source>Exporting…</source>
        <translation>Exporterar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="294" />
        <source>Exported {0}</source>
        <translation>Exporterade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="299" />
        <source>Export</source>
        <translation>Exportera</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="312" />
        <source>Receipt {0} ({1}) saved</source>
        <translation>Kvitto {0} ({1}) sparat</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="314" />
        <source>Issuing receipt…</source>
        <translation>Utfärdar kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="320" />
        <source>Receipt</source>
        <translation>Kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="330" />
        <source>Ledger and receipt numbering verified</source>
        <translation>Huvudbok och kvittonumrering kontrollerade</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="332" />
        <source>Verifying…</source>
        <translation>Kontrollerar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="341" />
        <source>Reconciling…</source>
        <translation>Stämmer av…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="350" />
        <source>charger</source>
        <translation>laddare</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="351" />
        <source>bay</source>
        <translation>plats</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="352" />
        <source>what</source>
        <translation>vad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="353" />
        <source>kWh</source>
        <translation>kWh</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="354" />
        <source>from</source>
        <translation>från</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="355" />
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="363" />
        <source>sessions: {0}, counter advance</source>
        <translation>laddningar: {0}, räknarökning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="374" />
        <source>outside any session</source>
        <translation>utanför laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="385" />
        <source>sessions {0} and {1} overlap</source>
        <translation>laddningarna {0} och {1} överlappar</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="398" />
        <source>counter reset</source>
        <translation>räknaren nollställd</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="400" />
        <source>counter went backwards</source>
        <translation>räknaren gick bakåt</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="418" />
        <source>Unbilled energy this month: {0} kWh (times in UTC)</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>AlertTableModel</name>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="132" />
        <source>open</source>
        <translation>öppen</translation>
    </message>
</context>
<context>
    <name>AlertsWidget</name>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="151" />
        <source>Open alerts only</source>
        <translation>Endast öppna larm</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="153" />
        <source>Acknowledge</source>
        <translation>Kvittera</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="192" />
        <source>{0} open</source>
        <translation>{0} öppna</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="196" />
        <source>Could not read alerts: {0}</source>
        <translation>Kunde inte läsa larmen: {0}</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../ui/access/audit_view.py" line="48" />
        <source>From</source>
        <translation>Från</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="50" />
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="56" />
        <source>operator</source>
        <translation>operatör</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="58" />
        <source>action, e.g. cards or login</source>
        <translation>åtgärd, t.ex. cards eller login</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="60" />
        <source>any outcome</source>
        <translation>alla utfall</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="64" />
        <source>target</source>
        <translation>mål</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="72" />
        <source>Filter</source>
        <translation>Filtrera</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="73" />
        <source>Check chain</source>
        <translation>Kontrollera kedjan</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="74" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="119" />
        <source>Only the owner can read the audit log.</source>
        <translation>Endast ägaren kan läsa granskningsloggen.</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="161" />
        <source> (the newest {0})</source>
        <translation> (de {0} senaste)</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="162" />
        <source>{0} entries{1}</source>
        <translation>{0} poster{1}</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="183" />
        <source>Export the audit log</source>
        <translation>Exportera granskningsloggen</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="183" />
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="204" />
        <source>Exported {0} entries to {1}</source>
        <translation>Exporterade {0} poster till {1}</translation>
    </message>
</context>
<context>
    <name>BayPanel</name>
    <message>
        <location filename="../../ui/board/page.py" line="59" />
        <source>Card holder</source>
        <translation>Kortinnehavare</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="60" />
        <source>Plugged in</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="61" />
        <source>Charging time</source>
        <translation>Laddtid</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="62" />
        <source>Idle time</source>
        <translation>Stilleståndstid</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="63" />
        <source>Power now</source>
        <translation>Effekt nu</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="64" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="65" />
        <source>Cost so far</source>
        <translation>Kostnad hittills</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="66" />
        <source>Expected end</source>
        <translation>Beräknat slut</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="73" />
        <source>Start &amp;guest session…</source>
        <translation>Starta &amp;gästladdning…</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="74" />
        <source>S&amp;top session</source>
        <translation>S&amp;toppa laddningen</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="75" />
        <source>Set &amp;out of order</source>
        <translation>Ta &amp;ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="76" />
        <source>&amp;Acknowledge faults</source>
        <translation>&amp;Kvittera fel</translation>
    </message>
</context>
<context>
    <name>BillingPage</name>
    <message>
        <location filename="../../ui/billing/page.py" line="21" />
        <source>Statements and exports</source>
        <translation>Sammanställningar och exporter</translation>
    </message>
    <message>
        <location filename="../../ui/billing/page.py" line="22" />
        <source>Tariffs</source>
        <translation>Taxor</translation>
    </message>
</context>
<context>
    <name>BoardPage</name>
    <message>
        <location filename="../../ui/board/page.py" line="118" />
        <source>Loading curves…</source>
        <translation>Läser in kurvor…</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="212" />
        <source>Fault on {0}</source>
        <translation>Fel på {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="216" />
        <source>Charger does not answer</source>
        <translation>Laddaren svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="258" />
        <source>&lt;b&gt;{0}&lt;/b&gt;: power and energy today</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;: effekt och energi i dag</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="298" />
        <source>Site power {0}</source>
        <translation>Effekt totalt {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="306" />
        <source>No bay selected</source>
        <translation>Ingen plats vald</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="319" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="334" />
        <source>Back in &amp;service</source>
        <translation>Åter i &amp;drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="334" />
        <source>Set &amp;out of order</source>
        <translation>Ta &amp;ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="396" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
</context>
<context>
    <name>CapacityPage</name>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="77" />
        <source>Last 7 days</source>
        <translation>Senaste 7 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="78" />
        <source>Last 30 days</source>
        <translation>Senaste 30 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="79" />
        <source>This month</source>
        <translation>Denna månad</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="80" />
        <source>Last month</source>
        <translation>Förra månaden</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="81" />
        <source>Dates…</source>
        <translation>Datum…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="93" />
        <source>Show</source>
        <translation>Visa</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="95" />
        <source>Export PDF…</source>
        <translation>Exportera PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="102" />
        <source>From</source>
        <translation>Från</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="104" />
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="112" />
        <source>Occupancy by weekday and hour</source>
        <translation>Beläggning per veckodag och timme</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="124" />
        <source>Sessions per day</source>
        <translation>Laddningar per dag</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="128" />
        <source>Share of time per bay (%)</source>
        <translation>Andel av tiden per plats (%)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="131" />
        <source>charging</source>
        <translation>laddning</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="134" />
        <source>idle</source>
        <translation>stillastående</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="137" />
        <source>waiting</source>
        <translation>väntan</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="144" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="145" />
        <location filename="../../ui/reports/capacity_page.py" line="156" />
        <location filename="../../ui/reports/capacity_page.py" line="162" />
        <source>Sessions</source>
        <translation>Laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="146" />
        <source>kWh</source>
        <translation>kWh</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="147" />
        <source>Plugged %</source>
        <translation>Inkopplad %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="148" />
        <source>Charging %</source>
        <translation>Laddning %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="149" />
        <source>Idle %</source>
        <translation>Stilla %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="150" />
        <location filename="../../ui/reports/capacity_page.py" line="157" />
        <source>Typical plugged</source>
        <translation>Typisk inkopplingstid</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="155" />
        <source>Card group</source>
        <translation>Kortgrupp</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="158" />
        <source>Charging</source>
        <translation>Laddar</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="159" />
        <location filename="../../ui/reports/capacity_page.py" line="162" />
        <source>Idle</source>
        <translation>Stillastående</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="162" />
        <source>Most idle</source>
        <translation>Mest stillastående</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="202" />
        <source>Computing…</source>
        <translation>Beräknar…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="211" />
        <source>Failed: {0}</source>
        <translation>Misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="217" />
        <source>{0} sessions, {1} kWh</source>
        <translation>{0} laddningar, {1} kWh</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="284" />
        <source>Export capacity report</source>
        <translation>Exportera beläggningsrapport</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="284" />
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="294" />
        <source>Writing PDF…</source>
        <translation>Skriver PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="302" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
</context>
<context>
    <name>CardDialog</name>
    <message>
        <location filename="../../ui/cards/dialog.py" line="92" />
        <source>Edit card</source>
        <translation>Redigera kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="92" />
        <source>Enrol a card</source>
        <translation>Registrera ett kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="96" />
        <source>Tap the card on the desk reader, or type it</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="105" />
        <source>from</source>
        <translation>från</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="106" />
        <source>until</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="109" />
        <source>Tick none for every bay</source>
        <translation>Bocka inget för alla platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="116" />
        <source>no limit</source>
        <translation>ingen gräns</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="117" />
        <source>Blocked (refused at every bay)</source>
        <translation>Spärrat (nekas på alla platser)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="123" />
        <source>Card number</source>
        <translation>Kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="125" />
        <source>Label</source>
        <translation>Etikett</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="126" />
        <source>Holder</source>
        <translation>Innehavare</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="127" />
        <source>Group</source>
        <translation>Grupp</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="131" />
        <source>Valid</source>
        <translation>Giltigt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="132" />
        <source>Allowed bays</source>
        <translation>Tillåtna platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="133" />
        <source>Sessions at once</source>
        <translation>Laddningar samtidigt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="134" />
        <source>Max current</source>
        <translation>Max ström</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="135" />
        <source>Budgets</source>
        <translation>Budgetar</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="137" />
        <source>Note</source>
        <translation>Anteckning</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="183" />
        <source>This card no longer exists.</source>
        <translation>Kortet finns inte längre.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="226" />
        <source>Already enrolled as {0}{1}</source>
        <translation>Redan registrerat som {0}{1}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="230" />
        <source>Stored as {0}</source>
        <translation>Sparas som {0}</translation>
    </message>
</context>
<context>
    <name>CardTableModel</name>
    <message>
        <location filename="../../ui/cards/model.py" line="50" />
        <source>Blocked</source>
        <translation>Spärrat</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="51" />
        <source>Group blocked</source>
        <translation>Gruppen spärrad</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="52" />
        <source>Expired</source>
        <translation>Utgånget</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="53" />
        <source>Not yet valid</source>
        <translation>Ännu inte giltigt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="54" />
        <source>Active</source>
        <translation>Aktivt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="144" />
        <source>Card number</source>
        <translation>Kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="145" />
        <source>Label</source>
        <translation>Etikett</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="146" />
        <source>Holder</source>
        <translation>Innehavare</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="147" />
        <source>Group</source>
        <translation>Grupp</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="148" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="149" />
        <source>Valid from</source>
        <translation>Giltigt från</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="150" />
        <source>Valid to</source>
        <translation>Giltigt till</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="151" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="152" />
        <source>Max sessions</source>
        <translation>Max laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="153" />
        <source>Max current</source>
        <translation>Max ström</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="154" />
        <source>Note</source>
        <translation>Anteckning</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="203" />
        <source>No restriction: the card works at every bay</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="223" />
        <source>all</source>
        <translation>alla</translation>
    </message>
</context>
<context>
    <name>CardsPage</name>
    <message>
        <location filename="../../ui/cards/page.py" line="63" />
        <source>Tap a card on the desk reader (or type its number and press Enter)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="69" />
        <source>Show card</source>
        <translation>Visa kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="72" />
        <source>keyboard reader</source>
        <translation>tangentbordsläsare</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="76" />
        <source>Enrol:</source>
        <translation>Registrera:</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="86" />
        <source>Search label, holder or card number (any spelling)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="92" />
        <source>Enrol card…</source>
        <translation>Registrera kort…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="93" />
        <source>Edit…</source>
        <translation>Redigera…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="94" />
        <location filename="../../ui/cards/page.py" line="234" />
        <source>Block</source>
        <translation>Spärra</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="95" />
        <source>Import CSV…</source>
        <translation>Importera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="96" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="152" />
        <source>Desk reader {0}: {1}</source>
        <translation>Disklässare {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="194" />
        <source>{0} card(s)</source>
        <translation>{0} kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="234" />
        <source>Unblock</source>
        <translation>Häv spärr</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="259" />
        <source> (read by the {0})</source>
        <translation> (läst av {0})</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="265" />
        <source>Card {0}{1} is already enrolled as {2}{3}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="273" />
        <source>New card {0}{1}.</source>
        <translation>Nytt kort {0}{1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="284" />
        <source>desk reader {0}</source>
        <translation>disklässare {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="299" />
        <source>Saved card {0}.</source>
        <translation>Sparade kort {0}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="323" />
        <source>Copy card number</source>
        <translation>Kopiera kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="340" />
        <source>Card {0} blocked.</source>
        <translation>Kort {0} spärrat.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="340" />
        <source>Card {0} unblocked.</source>
        <translation>Spärren för kort {0} hävd.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="349" />
        <source>Import cards</source>
        <translation>Importera kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="349" />
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-filer (*.csv);;Alla filer (*)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="361" />
        <source>Imported {0} card(s).</source>
        <translation>Importerade {0} kort.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="366" />
        <source>Export cards</source>
        <translation>Exportera kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="366" />
        <source>CSV files (*.csv)</source>
        <translation>CSV-filer (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="387" />
        <source>Exporting…</source>
        <translation>Exporterar…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="390" />
        <source>Exported {0} card(s) to {1}.</source>
        <translation>Exporterade {0} kort till {1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="392" />
        <source>Export failed: {0}</source>
        <translation>Exporten misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="406" />
        <source>Cards</source>
        <translation>Kort</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../../ui/access/login.py" line="125" />
        <source>Change password</source>
        <translation>Byt lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="127" />
        <source>Your password was reset by the owner. Choose your own to continue.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="129" />
        <source>Choose a new password.</source>
        <translation>Välj ett nytt lösenord.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="142" />
        <source>Current password</source>
        <translation>Nuvarande lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="143" />
        <source>New password</source>
        <translation>Nytt lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="144" />
        <source>New password again</source>
        <translation>Nytt lösenord igen</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="145" />
        <source>At least {0} characters.</source>
        <translation>Minst {0} tecken.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="160" />
        <source>The two new passwords differ.</source>
        <translation>De två nya lösenorden skiljer sig åt.</translation>
    </message>
</context>
<context>
    <name>ChargerDialog</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="144" />
        <source>Edit charger</source>
        <translation>Redigera laddare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="144" />
        <source>Add a charger</source>
        <translation>Lägg till en laddare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="155" />
        <source>none (point to point; Modbus drivers use 1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="156" />
        <source>Modbus slave address on an RS-485 bus</source>
        <translation>Modbus-slavadress på en RS-485-buss</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="161" />
        <source>Bay label</source>
        <translation>Platsens namn</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="164" />
        <source>Enabled (polled by the site)</source>
        <translation>Aktiverad (pollas av platsen)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="166" />
        <source>Test connection</source>
        <translation>Testa anslutningen</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="174" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="175" />
        <source>Driver</source>
        <translation>Drivrutin</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="176" />
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="177" />
        <source>Address</source>
        <translation>Adress</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="178" />
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="179" />
        <source>Connectors</source>
        <translation>Uttag</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="180" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="215" />
        <source>This charger no longer exists.</source>
        <translation>Laddaren finns inte längre.</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="238" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="296" />
        <source>Testing {0} on {1}…</source>
        <translation>Testar {0} på {1}…</translation>
    </message>
</context>
<context>
    <name>ChargersPage</name>
    <message>
        <location filename="../../ui/chargers/page.py" line="44" />
        <source>Charger / bay</source>
        <translation>Laddare / plats</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="45" />
        <location filename="../../ui/chargers/page.py" line="69" />
        <source>Driver</source>
        <translation>Drivrutin</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="46" />
        <location filename="../../ui/chargers/page.py" line="70" />
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="47" />
        <source>Address</source>
        <translation>Adress</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="48" />
        <location filename="../../ui/chargers/page.py" line="71" />
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="49" />
        <location filename="../../ui/chargers/page.py" line="73" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="57" />
        <source>Add charger…</source>
        <translation>Lägg till laddare…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="58" />
        <source>Edit / test…</source>
        <translation>Redigera / testa…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="59" />
        <location filename="../../ui/chargers/page.py" line="82" />
        <location filename="../../ui/chargers/page.py" line="290" />
        <source>Remove</source>
        <translation>Ta bort</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="68" />
        <source>Card reader</source>
        <translation>Kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="72" />
        <source>Reads cards for</source>
        <translation>Läser kort för</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="80" />
        <source>Add reader…</source>
        <translation>Lägg till läsare…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="81" />
        <source>Edit…</source>
        <translation>Redigera…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="94" />
        <source>Chargers and their bays</source>
        <translation>Laddare och deras platser</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="102" />
        <source>Card readers</source>
        <translation>Kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="158" />
        <source>card reader: {0}</source>
        <translation>kortläsare: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="160" />
        <source>no card reader</source>
        <translation>ingen kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="179" />
        <location filename="../../ui/chargers/page.py" line="203" />
        <source>enabled</source>
        <translation>aktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="179" />
        <location filename="../../ui/chargers/page.py" line="200" />
        <source>disabled</source>
        <translation>avaktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="153" />
        <source>Bay {0} (connector {1})</source>
        <translation>Plats {0} (uttag {1})</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="176" />
        <source>bay {0}</source>
        <translation>plats {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="178" />
        <source>the desk (enrolment)</source>
        <translation>disken (registrering)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="188" />
        <source>No charger yet: add one, pick its port and press Test connection.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="206" />
        <source>enabled · not running yet (restart the site to apply)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="209" />
        <source>enabled · connecting</source>
        <translation>aktiverad · ansluter</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="210" />
        <source>enabled · answering</source>
        <translation>aktiverad · svarar</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="210" />
        <source>enabled · not answering</source>
        <translation>aktiverad · svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="300" />
        <source>Remove charger {0} and its bays? A charger with sessions on record is disabled instead, so its history stays.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="314" />
        <source>Charger has sessions on record: disabled, not removed. </source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="324" />
        <source>Remove this card reader?</source>
        <translation>Ta bort kortläsaren?</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="338" />
        <source>Chargers</source>
        <translation>Laddare</translation>
    </message>
</context>
<context>
    <name>CurvePanel</name>
    <message>
        <location filename="../../ui/board/curves.py" line="92" />
        <source>Power</source>
        <translation>Effekt</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="93" />
        <source>Site total</source>
        <translation>Totalt</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="95" />
        <source>&amp;Day</source>
        <translation>&amp;Dygn</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="96" />
        <source>Zoom out to the whole day (D)</source>
        <translation>Visa hela dygnet (D)</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="97" />
        <source>&amp;Live</source>
        <translation>&amp;Live</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="98" />
        <source>Follow the newest minutes again (L)</source>
        <translation>Följ de senaste minuterna igen (L)</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="101" />
        <source>Drag to pan, wheel to zoom</source>
        <translation>Dra för att panorera, scrolla för att zooma</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="120" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="107" />
        <source>Set up stationmgr</source>
        <translation>Konfigurera stationmgr</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../ui/history/model.py" line="64" />
        <source>Plugged in</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="65" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="66" />
        <source>Holder</source>
        <translation>Innehavare</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="67" />
        <source>Card</source>
        <translation>Kort</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="68" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="69" />
        <source>Plugged</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="70" />
        <source>Charging</source>
        <translation>Laddning</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="71" />
        <source>Idle</source>
        <translation>Stilla</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="72" />
        <source>Stop reason</source>
        <translation>Stopporsak</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="73" />
        <source>Price</source>
        <translation>Pris</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="253" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="266" />
        <source>running</source>
        <translation>pågår</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="270" />
        <source>charging now</source>
        <translation>laddar nu</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="281" />
        <source>stopped {0}</source>
        <translation>stoppad {0}</translation>
    </message>
</context>
<context>
    <name>HistoryPage</name>
    <message>
        <location filename="../../ui/history/page.py" line="72" />
        <source>Today</source>
        <translation>I dag</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="73" />
        <source>Last 7 days</source>
        <translation>Senaste 7 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="74" />
        <source>Last 30 days</source>
        <translation>Senaste 30 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="75" />
        <source>This month</source>
        <translation>Denna månad</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="76" />
        <source>Last month</source>
        <translation>Förra månaden</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="77" />
        <source>All time</source>
        <translation>All tid</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="78" />
        <source>Dates…</source>
        <translation>Datum…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="91" />
        <source>All bays</source>
        <translation>Alla platser</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="93" />
        <source>Card number</source>
        <translation>Kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="96" />
        <source>Holder name</source>
        <translation>Innehavarens namn</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="99" />
        <source>Any stop reason</source>
        <translation>Alla stopporsaker</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="102" />
        <source>Running only</source>
        <translation>Endast pågående</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="103" />
        <source>Refresh</source>
        <translation>Uppdatera</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="137" />
        <source>Open session</source>
        <translation>Öppna laddning</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="173" />
        <source>loading…</source>
        <translation>läser in…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="175" />
        <source>failed: {0}</source>
        <translation>misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="225" />
        <source>{0} sessions · {1} · plugged {2} h · charging {3} h · idle {4} h</source>
        <translation>{0} laddningar · {1} · inkopplad {2} h · laddning {3} h · stillastående {4} h</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="264" />
        <source>History</source>
        <translation>Historik</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="89" />
        <source>Import cards from {0}</source>
        <translation>Importera kort från {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="91" />
        <source>Reading {0}…</source>
        <translation>Läser {0}…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="100" />
        <source>Import</source>
        <translation>Importera</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="116" />
        <source>The file is not UTF-8 text; save it as CSV UTF-8 and retry.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="119" />
        <source>Cannot read the file: {0}</source>
        <translation>Kan inte läsa filen: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="130" />
        <source>Check failed: {0}</source>
        <translation>Kontrollen misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="137" />
        <source>Line</source>
        <translation>Rad</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="151" />
        <source> (first {0} shown)</source>
        <translation> (de första {0} visas)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="155" />
        <source>{0}
The file is rejected whole: nothing will be imported. Fix that row and open the file again.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="162" />
        <source>{0} card(s) checked, no problem found{1}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="164" />
        <source>Import {0} card(s)</source>
        <translation>Importera {0} kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="169" />
        <source>Importing…</source>
        <translation>Importerar…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/access/login.py" line="49" />
        <source>Sign in — stationmgr</source>
        <translation>Logga in — stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="50" />
        <source>Sign in to use this site.</source>
        <translation>Logga in för att använda platsen.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="63" />
        <source>User</source>
        <translation>Användare</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="64" />
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="68" />
        <source>Sign in</source>
        <translation>Logga in</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="81" />
        <source>Enter your user name and password.</source>
        <translation>Ange användarnamn och lösenord.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="84" />
        <source>Checking…</source>
        <translation>Kontrollerar…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/mainwindow.py" line="53" />
        <source>stationmgr — charging site</source>
        <translation>stationmgr — laddplats</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="97" />
        <source>Show stationmgr</source>
        <translation>Visa stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="99" />
        <source>Quit</source>
        <translation>Avsluta</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="196" />
        <source>&amp;File</source>
        <translation>&amp;Arkiv</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="197" />
        <source>&amp;Settings…</source>
        <translation>&amp;Inställningar…</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="207" />
        <source>&amp;Quit</source>
        <translation>&amp;Avsluta</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="211" />
        <source>&amp;View</source>
        <translation>&amp;Visa</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="212" />
        <source>&amp;Full screen</source>
        <translation>&amp;Helskärm</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="221" />
        <source>&amp;Help</source>
        <translation>&amp;Hjälp</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="222" />
        <source>&amp;About stationmgr</source>
        <translation>&amp;Om stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="229" />
        <source>About stationmgr</source>
        <translation>Om stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="230" />
        <source>stationmgr {0}
Monitor and run a small EV charging site.</source>
        <translation>stationmgr {0}
Övervaka och driv en liten laddplats för elbilar.</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="243" />
        <source>no engine: history only</source>
        <translation>ingen motor: endast historik</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="248" />
        <source>(time ×{0})</source>
        <translation>(tid ×{0})</translation>
    </message>
</context>
<context>
    <name>OperatorForm</name>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="45" />
        <source>New password for {0}</source>
        <translation>Nytt lösenord för {0}</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="47" />
        <source>Add an operator</source>
        <translation>Lägg till en operatör</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="69" />
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="71" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="72" />
        <source>Role</source>
        <translation>Roll</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="73" />
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="74" />
        <source>Password again</source>
        <translation>Lösenord igen</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="75" />
        <source>At least {0} characters.</source>
        <translation>Minst {0} tecken.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="89" />
        <source>The two passwords differ.</source>
        <translation>De två lösenorden skiljer sig åt.</translation>
    </message>
</context>
<context>
    <name>OperatorsDialog</name>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="100" />
        <source>Operators</source>
        <translation>Operatörer</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="111" />
        <source>Add…</source>
        <translation>Lägg till…</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="112" />
        <source>New password…</source>
        <translation>Nytt lösenord…</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="116" />
        <source>Set role</source>
        <translation>Ange roll</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="117" />
        <location filename="../../ui/access/operators_dialog.py" line="194" />
        <location filename="../../ui/access/operators_dialog.py" line="262" />
        <location filename="../../ui/access/operators_dialog.py" line="266" />
        <source>Disable</source>
        <translation>Avaktivera</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="161" />
        <location filename="../../ui/access/operators_dialog.py" line="193" />
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="161" />
        <source>disabled</source>
        <translation>avaktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="194" />
        <source>Enable</source>
        <translation>Aktivera</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="218" />
        <source>Added {0}.</source>
        <translation>Lade till {0}.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="240" />
        <source>New password set for {0}; they choose their own at the next login.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="254" />
        <source>{0} is now {1}.</source>
        <translation>{0} är nu {1}.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="266" />
        <source>Disable {0}?</source>
        <translation>Avaktivera {0}?</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="271" />
        <source>{0} disabled.</source>
        <translation>{0} avaktiverad.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="271" />
        <source>{0} enabled.</source>
        <translation>{0} aktiverad.</translation>
    </message>
</context>
<context>
    <name>PortPicker</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="71" />
        <source>Rescan</source>
        <translation>Sök igen</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="72" />
        <source>Look for serial ports again (after plugging an adapter)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="89" />
        <source>no serial port found: type a port or socket://host:port</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ReaderDialog</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="362" />
        <source>Edit card reader</source>
        <translation>Redigera kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="362" />
        <source>Add a card reader</source>
        <translation>Lägg till en kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="373" />
        <source>Desk (enrolment)</source>
        <translation>Disk (registrering)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="376" />
        <source>Bay {0}</source>
        <translation>Plats {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="377" />
        <source>Enabled</source>
        <translation>Aktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="380" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="381" />
        <source>Driver</source>
        <translation>Drivrutin</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="382" />
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="383" />
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="384" />
        <source>Reads cards for</source>
        <translation>Läser kort för</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="407" />
        <source>This card reader no longer exists.</source>
        <translation>Kortläsaren finns inte längre.</translation>
    </message>
</context>
<context>
    <name>RotationHint</name>
    <message>
        <location filename="../../ui/reports/rotation.py" line="21" />
        <source>Free soonest</source>
        <translation>Ledig snarast</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="51" />
        <source>No live engine: no estimates.</source>
        <translation>Ingen motor igång: inga uppskattningar.</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="54" />
        <source>No bay can take a car now.</source>
        <translation>Ingen plats kan ta emot en bil nu.</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="61" />
        <source>{0}: free now</source>
        <translation>{0}: ledig nu</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="64" />
        <source>{0}: about {1} (in {2} min)</source>
        <translation>{0}: omkring {1} (om {2} min)</translation>
    </message>
</context>
<context>
    <name>SessionDetailDialog</name>
    <message>
        <location filename="../../ui/history/detail.py" line="73" />
        <source>Session {0}</source>
        <translation>Laddning {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="75" />
        <source>Loading…</source>
        <translation>Läser in…</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="87" />
        <source>Could not read the session: {0}</source>
        <translation>Kunde inte läsa laddningen: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="101" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="103" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="104" />
        <source>Card holder</source>
        <translation>Kortinnehavare</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="105" />
        <source>Card</source>
        <translation>Kort</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="106" />
        <source>Transaction</source>
        <translation>Transaktion</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="107" />
        <source>Plugged in</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="108" />
        <source>Authorised</source>
        <translation>Godkänd</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="110" />
        <source>Stopped</source>
        <translation>Stoppad</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="113" />
        <source>still running</source>
        <translation>pågår fortfarande</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="116" />
        <source>Stop reason</source>
        <translation>Stopporsak</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="119" />
        <source>Stopped by</source>
        <translation>Stoppad av</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="121" />
        <source>Plugged / waiting</source>
        <translation>Inkopplad / väntan</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="125" />
        <source>Charging / idle</source>
        <translation>Laddning / stillastående</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="129" />
        <source>Meter start / stop</source>
        <translation>Mätarställning start / stopp</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="134" />
        <location filename="../../ui/history/detail.py" line="255" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="137" />
        <source> (counter restarted {0}×)</source>
        <translation> (räknaren startade om {0}×)</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="144" />
        <source>Guest start</source>
        <translation>Gäststart</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="148" />
        <location filename="../../ui/history/detail.py" line="226" />
        <source>Price</source>
        <translation>Pris</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="150" />
        <source> incl. VAT {0}</source>
        <translation> inkl. moms {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="159" />
        <source>Summary</source>
        <translation>Sammanfattning</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="160" />
        <source>Curve</source>
        <translation>Kurva</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="163" />
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="163" />
        <source>Event</source>
        <translation>Händelse</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="163" />
        <source>Detail</source>
        <translation>Detalj</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="168" />
        <source>No events or faults</source>
        <translation>Inga händelser eller fel</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="170" />
        <source>Events and faults ({0})</source>
        <translation>Händelser och fel ({0})</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="176" />
        <source>Line</source>
        <translation>Rad</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="177" />
        <source>Quantity</source>
        <translation>Antal</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="178" />
        <source>Unit price</source>
        <translation>À-pris</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="179" />
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="180" />
        <source>VAT</source>
        <translation>Moms</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="181" />
        <source>Amount</source>
        <translation>Belopp</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="203" />
        <source>Total</source>
        <translation>Summa</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="233" />
        <source>Power</source>
        <translation>Effekt</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="238" />
        <source>No meter samples were stored for this session</source>
        <translation>Inga mätvärden sparades för denna laddning</translation>
    </message>
</context>
<context>
    <name>SessionLock</name>
    <message>
        <location filename="../../ui/access/lock.py" line="64" />
        <source>Lock now</source>
        <translation>Lås nu</translation>
    </message>
    <message>
        <location filename="../../ui/access/lock.py" line="115" />
        <source>Locked — stationmgr</source>
        <translation>Låst — stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/access/lock.py" line="117" />
        <source>The window is locked; the site keeps running. Sign in to continue, or sign in as yourself to take over the shift.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="23" />
        <source>Settings</source>
        <translation>Inställningar</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="26" />
        <location filename="../../ui/settings_dialog.py" line="32" />
        <source>As the system</source>
        <translation>Som systemet</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="32" />
        <source>Light</source>
        <translation>Ljust</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="32" />
        <source>Dark</source>
        <translation>Mörkt</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="37" />
        <source>&amp;Language:</source>
        <translation>&amp;Språk:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="38" />
        <source>&amp;Colours:</source>
        <translation>&amp;Färger:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="39" />
        <source>Changes apply when stationmgr starts next time.</source>
        <translation>Ändringarna gäller när stationmgr startas nästa gång.</translation>
    </message>
</context>
<context>
    <name>TariffEditor</name>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="74" />
        <source>of charging</source>
        <translation>av laddningen</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="75" />
        <source>of plugged time</source>
        <translation>av inkopplad tid</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="81" />
        <source>no cap</source>
        <translation>inget tak</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="84" />
        <source>Add version</source>
        <translation>Lägg till version</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="88" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="89" />
        <source>For</source>
        <translation>För</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="90" />
        <source>Valid from (site time)</source>
        <translation>Giltig från (platsens tid)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="91" />
        <source>Price per kWh</source>
        <translation>Pris per kWh</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="95" />
        <source>Price per hour</source>
        <translation>Pris per timme</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="96" />
        <source>Start fee</source>
        <translation>Startavgift</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="97" />
        <source>Idle fee per minute</source>
        <translation>Avgift per minut stillastående</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="98" />
        <source>Grace period (min)</source>
        <translation>Fri tid (min)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="99" />
        <source>Idle fee cap</source>
        <translation>Tak för stilleståndsavgift</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="100" />
        <source>VAT %</source>
        <translation>Moms %</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="101" />
        <source>Currency</source>
        <translation>Valuta</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="103" />
        <source>New tariff version (prices net of VAT)</source>
        <translation>Ny taxeversion (priser exkl. moms)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="120" />
        <source>guests</source>
        <translation>gäster</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="124" />
        <source>site default</source>
        <translation>platsens standard</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="147" />
        <source>Site default</source>
        <translation>Platsens standard</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="148" />
        <source>Guests</source>
        <translation>Gäster</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="150" />
        <source>Group: {0}</source>
        <translation>Grupp: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="193" />
        <source>Added version {0}</source>
        <translation>Lade till version {0}</translation>
    </message>
</context>
<context>
    <name>TileGrid</name>
    <message>
        <location filename="../../ui/board/tiles.py" line="91" />
        <source>Bay board</source>
        <translation>Platsöversikt</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="174" />
        <source>No bays yet. Add a charger under Chargers to see its bays here.</source>
        <translation>Inga platser ännu. Lägg till en laddare under Laddare så syns dess platser här.</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="303" />
        <source>Free</source>
        <translation>Ledig</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="311" />
        <source>Tap a card at the bay, or start a guest session</source>
        <translation>Blippa ett kort vid platsen eller starta en gästladdning</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="313" />
        <source>waiting {0}</source>
        <translation>väntar {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="318" />
        <source>Charger fault: {0}</source>
        <translation>Fel i laddaren: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="320" />
        <source>car plugged in {0}</source>
        <translation>bil inkopplad {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="330" />
        <source>No answer from the charger</source>
        <translation>Inget svar från laddaren</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="332" />
        <source>Out of order</source>
        <translation>Ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="358" />
        <source>plugged {0}</source>
        <translation>inkopplad {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="360" />
        <source>charged {0}</source>
        <translation>laddat {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="362" />
        <source>idle {0}</source>
        <translation>stilla {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="373" />
        <source>≈ {0}</source>
        <translation>≈ {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="375" />
        <source>ends ~{0}</source>
        <translation>klar ~{0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="378" />
        <source>car done, blocking the bay</source>
        <translation>bilen klar, blockerar platsen</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="390" />
        <source>Car plugged in, no card yet</source>
        <translation>Bil inkopplad, inget kort än</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="392" />
        <source>Session ended</source>
        <translation>Laddningen avslutad</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="393" />
        <source>No session</source>
        <translation>Ingen laddning</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="396" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="404" />
        <source>offline</source>
        <translation>nere</translation>
    </message>
</context>
<context>
    <name>_BudgetEditor</name>
    <message>
        <location filename="../../ui/cards/dialog.py" line="281" />
        <location filename="../../ui/cards/dialog.py" line="308" />
        <source>daily</source>
        <translation>per dag</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="282" />
        <location filename="../../ui/cards/dialog.py" line="308" />
        <source>monthly</source>
        <translation>per månad</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="285" />
        <source>money</source>
        <translation>pengar</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="287" />
        <source>limit</source>
        <translation>gräns</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="288" />
        <source>Add</source>
        <translation>Lägg till</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="289" />
        <source>Remove</source>
        <translation>Ta bort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="310" />
        <source>{0} (group)</source>
        <translation>{0} (grupp)</translation>
    </message>
</context>
<context>
    <name>_OwnerPage</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="38" />
        <source>The owner's account</source>
        <translation>Ägarens konto</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="41" />
        <source>The owner configures chargers, tariffs, cards and operators. From now on the app asks for a login.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="64" />
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="65" />
        <source>Your name</source>
        <translation>Ditt namn</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="66" />
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="67" />
        <source>Password again</source>
        <translation>Lösenord igen</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="70" />
        <source>At least {0} characters.</source>
        <translation>Minst {0} tecken.</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="75" />
        <source>The two passwords differ.</source>
        <translation>De två lösenorden skiljer sig åt.</translation>
    </message>
</context>
<context>
    <name>_SitePage</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="24" />
        <source>Welcome</source>
        <translation>Välkommen</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="25" />
        <source>Name this charging site. Receipts show the name too.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="28" />
        <source>e.g. Brf Solrosen garage</source>
        <translation>t.ex. Brf Solrosens garage</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="31" />
        <source>Site name</source>
        <translation>Platsens namn</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <location filename="../../ui/actions.py" line="51" />
        <source>You may not do this with your role.</source>
        <translation>Din roll får inte göra detta.</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="56" />
        <source>The site engine is not running.</source>
        <translation>Platsens motor körs inte.</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="73" />
        <source>Could not do that</source>
        <translation>Det gick inte</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="93" />
        <source>Start a guest session</source>
        <translation>Starta en gästladdning</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="94" />
        <source>Bay {0}: why is this session started without a card?</source>
        <translation>Plats {0}: varför startas laddningen utan kort?</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="106" />
        <source>Reason needed</source>
        <translation>Orsak behövs</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="107" />
        <source>A guest session needs a reason (it is kept with the session).</source>
        <translation>En gästladdning behöver en orsak (den sparas med laddningen).</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="115" />
        <source>Guest session on {0}: the car may charge now</source>
        <translation>Gästladdning på {0}: bilen får ladda nu</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="128" />
        <source>Stop the session</source>
        <translation>Stoppa laddningen</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="129" />
        <source>Stop the session on bay {0}? The car stops charging.</source>
        <translation>Stoppa laddningen på plats {0}? Bilen slutar ladda.</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="139" />
        <source>Session on {0} stopped</source>
        <translation>Laddningen på {0} stoppad</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="147" />
        <source>Bay {0} is out of order</source>
        <translation>Plats {0} är ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="149" />
        <source>Bay {0} is back in service</source>
        <translation>Plats {0} är i drift igen</translation>
    </message>
    <message>
        <location filename="../../ui/actions.py" line="170" />
        <source>Faults on {0} acknowledged</source>
        <translation>Fel på {0} kvitterade</translation>
    </message>
</context>
<context>
    <name>alerts</name>
    <message>
        <location filename="../../ui/board/extras.py" line="34" />
        <source>Session overrun</source>
        <translation>Laddning drar över tiden</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="35" />
        <source>Charging stalled</source>
        <translation>Laddningen står still</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="36" />
        <source>Bay blocked</source>
        <translation>Platsen blockeras</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="37" />
        <source>Charger fault</source>
        <translation>Fel i laddare</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="38" />
        <source>Charger not answering</source>
        <translation>Laddaren svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="39" />
        <source>Card denied repeatedly</source>
        <translation>Kort nekat upprepade gånger</translation>
    </message>
</context>
<context>
    <name>fmt</name>
    <message>
        <location filename="../../ui/fmt.py" line="27" />
        <source>{0}d {1:02d}:{2:02d}</source>
        <translation>{0} d {1:02d}:{2:02d}</translation>
    </message>
</context>
<context>
    <name>pages</name>
    <message>
        <location filename="../../ui/access/page.py" line="40" />
        <source>Audit log</source>
        <translation>Granskningslogg</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="244" />
        <source>Alerts</source>
        <translation>Larm</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="308" />
        <source>Capacity</source>
        <translation>Beläggning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/page.py" line="30" />
        <source>Billing</source>
        <translation>Fakturering</translation>
    </message>
</context>
<context>
    <name>price</name>
    <message>
        <location filename="../../ui/history/detail.py" line="268" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="269" />
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="270" />
        <source>Start fee</source>
        <translation>Startavgift</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="271" />
        <source>Idle fee</source>
        <translation>Avgift för stillastående</translation>
    </message>
</context>
<context>
    <name>status</name>
    <message>
        <location filename="../../ui/board/tiles.py" line="60" />
        <source>Available</source>
        <translation>Ledig</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="61" />
        <source>Waiting for card</source>
        <translation>Väntar på kort</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="62" />
        <source>Charging</source>
        <translation>Laddar</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="63" />
        <source>Paused by car</source>
        <translation>Pausad av bilen</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="64" />
        <source>Paused by charger</source>
        <translation>Pausad av laddaren</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="65" />
        <source>Finished – idle</source>
        <translation>Klar – står kvar</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="66" />
        <source>Faulted</source>
        <translation>Fel</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="67" />
        <source>Unavailable</source>
        <translation>Ej tillgänglig</translation>
    </message>
</context>
</TS>