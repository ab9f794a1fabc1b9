<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="sv_SE">
<context>
    <name />
    <message>
        <source>&amp;Session</source>
        <translation type="vanished">&amp;Pass</translation>
    </message>
    <message>
        <source>Change password…</source>
        <translation type="vanished">Byt lösenord…</translation>
    </message>
    <message>
        <source>Operators…</source>
        <translation type="vanished">Operatörer…</translation>
    </message>
    <message>
        <source>Guest</source>
        <translation type="obsolete">Gäst</translation>
    </message>
    <message>
        <source>Car plugged in, no card yet</source>
        <translation type="obsolete">Bil inkopplad, inget kort än</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation type="obsolete">Laddningen avslutad</translation>
    </message>
    <message>
        <source>No session</source>
        <translation type="obsolete">Ingen laddning</translation>
    </message>
</context>
<context>
    <name>AcceptDialog</name>
    <message>
        <location filename="../../ui/chargers/pending.py" line="53" />
        <source>Accept charge point {0}</source>
        <translation>Godkänn laddpunkt {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="58" />
        <source>e.g. G1, G2</source>
        <translation>t.ex. G1, G2</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="59" />
        <source>One bay label per connector, in connector order</source>
        <translation>En platsbeteckning per uttag, i uttagens ordning</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="64" />
        <source>Charge point</source>
        <translation>Laddpunkt</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="65" />
        <source>Charger name</source>
        <translation>Laddarens namn</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="66" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="76" />
        <source>connector {0} → bay {1}</source>
        <translation>uttag {0} → plats {1}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="79" />
        <location filename="../../ui/chargers/pending.py" line="90" />
        <source>Name a bay for each of the charger's connectors.</source>
        <translation>Ange en plats för vart och ett av laddarens uttag.</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="87" />
        <source>Give the charger a name.</source>
        <translation>Ge laddaren ett namn.</translation>
    </message>
</context>
<context>
    <name>AccountantView</name>
    <message>
        <location filename="../../ui/billing/accountant.py" line="62" />
        <source>Show</source>
        <translation>Visa</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="63" />
        <source>Save PDF…</source>
        <translation>Spara PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="64" />
        <source>Save CSV…</source>
        <translation>Spara CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="65" />
        <source>Print…</source>
        <translation>Skriv ut…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="66" />
        <source>Export SIE…</source>
        <translation>Exportera SIE…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="67" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="68" />
        <source>Verify ledger</source>
        <translation>Kontrollera huvudboken</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="69" />
        <source>Reconcile</source>
        <translation>Stäm av</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="72" />
        <source>The session's number, as History shows it</source>
        <translation>Laddningens nummer, som Historik visar det</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="73" />
        <source>Receipt…</source>
        <translation>Kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="85" />
        <source>Month</source>
        <translation>Månad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="102" />
        <source>Session</source>
        <translation>Laddning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="149" />
        <source>Month summary (whole site)</source>
        <translation>Månadssammanställning (hela platsen)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="160" />
        <source>Group: {0}</source>
        <translation>Grupp: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="160" />
        <source>Holder: {0}</source>
        <translation>Innehavare: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="170" />
        <source>Computing…</source>
        <translation>Beräknar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="198" />
        <source>Failed: {0}</source>
        <translation>Misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="207" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="213" />
        <source>Save</source>
        <translation>Spara</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="220" />
        <source>Exporting…</source>
        <translation>Exporterar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="232" />
        <source>Exported {0}</source>
        <translation>Exporterade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="237" />
        <source>Export</source>
        <translation>Exportera</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="249" />
        <source>Receipt {0} ({1}) saved</source>
        <translation>Kvitto {0} ({1}) sparat</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="251" />
        <source>Issuing receipt…</source>
        <translation>Utfärdar kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="257" />
        <source>Receipt</source>
        <translation>Kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="267" />
        <source>Ledger and receipt numbering verified</source>
        <translation>Huvudbok och kvittonumrering kontrollerade</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="269" />
        <source>Verifying…</source>
        <translation>Kontrollerar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="282" />
        <source>Reconciling…</source>
        <translation>Stämmer av…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="287" />
        <source>charger</source>
        <translation>laddare</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="288" />
        <source>bay</source>
        <translation>plats</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="289" />
        <source>what</source>
        <translation>vad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="290" />
        <source>kWh</source>
        <translation>kWh</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="291" />
        <source>from</source>
        <translation>från</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="292" />
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="300" />
        <source>sessions: {0}, counter advance</source>
        <translation>laddningar: {0}, räknarökning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="380" />
        <source>Print</source>
        <translation>Skriv ut</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="381" />
        <source>No printer is set up on this computer. Save the statement as PDF instead?</source>
        <translation>Ingen skrivare är installerad på den här datorn. Spara sammanställningen som PDF i stället?</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="385" />
        <source>Save as PDF…</source>
        <translation>Spara som PDF…</translation>
    </message>
    <message>
        <source>outside any session</source>
        <translation type="vanished">utanför laddningar</translation>
    </message>
    <message>
        <source>sessions {0} and {1} overlap</source>
        <translation type="vanished">laddningarna {0} och {1} överlappar</translation>
    </message>
    <message>
        <source>counter reset</source>
        <translation type="vanished">räknaren nollställd</translation>
    </message>
    <message>
        <source>counter went backwards</source>
        <translation type="vanished">räknaren gick bakåt</translation>
    </message>
    <message>
        <location filename="../../ui/billing/accountant.py" line="319" />
        <source>Unbilled energy this month: {0} kWh (times in UTC)</source>
        <translation>Ej fakturerad energi denna månad: {0} kWh (tider i UTC)</translation>
    </message>
</context>
<context>
    <name>AlertTableModel</name>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="55" />
        <source>Alert</source>
        <translation>Larm</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="56" />
        <source>Where</source>
        <translation>Var</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="57" />
        <source>Raised</source>
        <translation>Utlöst</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="58" />
        <source>Acknowledged</source>
        <translation>Kvitterat</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="59" />
        <source>Cleared</source>
        <translation>Upphört</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="60" />
        <source>Detail</source>
        <translation>Detalj</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="107" />
        <source>open</source>
        <translation>öppen</translation>
    </message>
</context>
<context>
    <name>AlertsWidget</name>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="126" />
        <source>Open alerts only</source>
        <translation>Endast öppna larm</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="128" />
        <source>Acknowledge</source>
        <translation>Kvittera</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="164" />
        <source>The site cannot be reached: {0}</source>
        <translation>Platsen kan inte nås: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="175" />
        <source>{0} open</source>
        <translation>{0} öppna</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="179" />
        <source>Could not read alerts: {0}</source>
        <translation>Kunde inte läsa larmen: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="200" />
        <source>Could not acknowledge: {0}</source>
        <translation>Kunde inte kvittera: {0}</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../ui/access/audit_view.py" line="41" />
        <source>When (UTC)</source>
        <translation>När (UTC)</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="42" />
        <source>Operator</source>
        <translation>Operatör</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="43" />
        <source>Action</source>
        <translation>Åtgärd</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="44" />
        <source>Target</source>
        <translation>Mål</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="45" />
        <source>Outcome</source>
        <translation>Utfall</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="46" />
        <source>Detail</source>
        <translation>Detalj</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="47" />
        <source>Change</source>
        <translation>Ändring</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="102" />
        <source>From</source>
        <translation>Från</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="104" />
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="110" />
        <source>operator</source>
        <translation>operatör</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="112" />
        <source>action, e.g. cards or login</source>
        <translation>åtgärd, t.ex. cards eller login</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="114" />
        <source>any outcome</source>
        <translation>alla utfall</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="118" />
        <source>target</source>
        <translation>mål</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="126" />
        <source>Filter</source>
        <translation>Filtrera</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="127" />
        <source>Check chain</source>
        <translation>Kontrollera kedjan</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="128" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="129" />
        <source>◀ Newer</source>
        <translation>◀ Nyare</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="130" />
        <source>Older ▶</source>
        <translation>Äldre ▶</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="186" />
        <source>Only the owner can read the audit log.</source>
        <translation>Endast ägaren kan läsa granskningsloggen.</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="254" />
        <source>entries {0}–{1}, newest first</source>
        <translation>poster {0}–{1}, nyaste först</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="259" />
        <source>1 entry</source>
        <translation>1 post</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="261" />
        <source>{0} entries</source>
        <translation>{0} poster</translation>
    </message>
    <message>
        <source> (the newest {0})</source>
        <translation type="vanished"> (de {0} senaste)</translation>
    </message>
    <message>
        <source>{0} entries{1}</source>
        <translation type="vanished">{0} poster{1}</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="286" />
        <source>Export the audit log</source>
        <translation>Exportera granskningsloggen</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="286" />
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/access/audit_view.py" line="303" />
        <source>Exported {0} entries to {1}</source>
        <translation>Exporterade {0} poster till {1}</translation>
    </message>
</context>
<context>
    <name>BayPanel</name>
    <message>
        <location filename="../../ui/board/page.py" line="69" />
        <source>Card holder</source>
        <translation>Kortinnehavare</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="70" />
        <source>Plugged in</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="71" />
        <source>Charging time</source>
        <translation>Laddtid</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="72" />
        <source>Idle time</source>
        <translation>Tomgångstid</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="73" />
        <source>Power now</source>
        <translation>Effekt nu</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="74" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="75" />
        <source>Cost so far</source>
        <translation>Kostnad hittills</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="76" />
        <source>Expected end</source>
        <translation>Beräknat slut</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="77" />
        <source>Session</source>
        <translation>Laddning</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="84" />
        <source>Start &amp;guest session…</source>
        <translation>Starta &amp;gästladdning…</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="85" />
        <source>S&amp;top session</source>
        <translation>S&amp;toppa laddningen</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="86" />
        <source>Set &amp;out of order</source>
        <translation>Ta &amp;ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="87" />
        <source>&amp;Acknowledge faults</source>
        <translation>&amp;Kvittera fel</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="89" />
        <source>&amp;Receipt…</source>
        <translation>&amp;Kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="90" />
        <source>Open &amp;card</source>
        <translation>Öppna &amp;kort</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="91" />
        <source>Copy &amp;number</source>
        <translation>Kopiera &amp;nummer</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="92" />
        <source>Copy the session's number (Billing asks for it)</source>
        <translation>Kopiera laddningens nummer (Fakturering frågar efter det)</translation>
    </message>
</context>
<context>
    <name>BillingPage</name>
    <message>
        <location filename="../../ui/billing/page.py" line="26" />
        <source>Statements and exports</source>
        <translation>Sammanställningar och exporter</translation>
    </message>
    <message>
        <location filename="../../ui/billing/page.py" line="27" />
        <source>Invoices</source>
        <translation>Fakturor</translation>
    </message>
    <message>
        <location filename="../../ui/billing/page.py" line="28" />
        <source>Month close</source>
        <translation>Månadsstängning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/page.py" line="29" />
        <source>Tariffs</source>
        <translation>Taxor</translation>
    </message>
</context>
<context>
    <name>BoardPage</name>
    <message>
        <location filename="../../ui/board/page.py" line="150" />
        <source>Loading curves…</source>
        <translation>Läser in kurvor…</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="261" />
        <source>Fault on {0}</source>
        <translation>Fel på {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="264" />
        <source>Charger does not answer</source>
        <translation>Laddaren svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="283" />
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="303" />
        <source>The site cannot be reached: {0}</source>
        <translation>Platsen kan inte nås: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="373" />
        <source>&lt;b&gt;{0}&lt;/b&gt;: power and energy today</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt;: effekt och energi i dag</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="417" />
        <source>Site power {0}</source>
        <translation>Effekt totalt {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="420" />
        <source>Site not reachable: showing the last data</source>
        <translation>Platsen kan inte nås: visar senaste data</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="430" />
        <source>No bay selected</source>
        <translation>Ingen plats vald</translation>
    </message>
    <message>
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="454" />
        <source>Back in &amp;service</source>
        <translation>Åter i &amp;drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="454" />
        <source>Set &amp;out of order</source>
        <translation>Ta &amp;ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="470" />
        <source>{0} (running)</source>
        <translation>{0} (pågår)</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="472" />
        <source> · receipt {0}</source>
        <translation> · kvitto {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="477" />
        <source>A receipt is issued once the session stops</source>
        <translation>Ett kvitto utfärdas när laddningen har avslutats</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="480" />
        <source>A guest session has no card</source>
        <translation>En gästladdning har inget kort</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="496" />
        <source>No receipt: {0}</source>
        <translation>Inget kvitto: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="504" />
        <source>Session number {0} copied</source>
        <translation>Laddningsnummer {0} kopierat</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="515" />
        <source>Card {0} is not enrolled (any more)</source>
        <translation>Kort {0} är inte (längre) registrerat</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="521" />
        <source>The Cards page is not open in this window</source>
        <translation>Sidan Kort är inte öppen i det här fönstret</translation>
    </message>
    <message>
        <location filename="../../ui/board/page.py" line="582" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
</context>
<context>
    <name>CapacityPage</name>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="41" />
        <source>Mon</source>
        <translation>mån</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="42" />
        <source>Tue</source>
        <translation>tis</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="43" />
        <source>Wed</source>
        <translation>ons</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="44" />
        <source>Thu</source>
        <translation>tor</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="45" />
        <source>Fri</source>
        <translation>fre</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="46" />
        <source>Sat</source>
        <translation>lör</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="47" />
        <source>Sun</source>
        <translation>sön</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="49" />
        <source>no group</source>
        <translation>ingen grupp</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="111" />
        <source>Last 7 days</source>
        <translation>Senaste 7 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="112" />
        <source>Last 30 days</source>
        <translation>Senaste 30 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="113" />
        <source>This month</source>
        <translation>Denna månad</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="114" />
        <source>Last month</source>
        <translation>Förra månaden</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="115" />
        <source>Dates…</source>
        <translation>Datum…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="127" />
        <source>Show</source>
        <translation>Visa</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="129" />
        <source>Export PDF…</source>
        <translation>Exportera PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="136" />
        <source>From</source>
        <translation>Från</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="138" />
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="146" />
        <source>Occupancy by weekday and hour</source>
        <translation>Beläggning per veckodag och timme</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="156" />
        <source>occupied %</source>
        <translation>upptaget %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="165" />
        <source>Sessions per day</source>
        <translation>Laddningar per dag</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="169" />
        <source>Share of time per bay (%)</source>
        <translation>Andel av tiden per plats (%)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="176" />
        <source>charging</source>
        <translation>laddning</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="179" />
        <source>idle</source>
        <translation>tomgång</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="182" />
        <source>waiting</source>
        <translation>väntan</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="189" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="190" />
        <location filename="../../ui/reports/capacity_page.py" line="201" />
        <location filename="../../ui/reports/capacity_page.py" line="207" />
        <source>Sessions</source>
        <translation>Laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="191" />
        <source>kWh</source>
        <translation>kWh</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="192" />
        <source>Plugged %</source>
        <translation>Inkopplad %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="193" />
        <source>Charging %</source>
        <translation>Laddning %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="194" />
        <source>Idle %</source>
        <translation>Tomgång %</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="195" />
        <location filename="../../ui/reports/capacity_page.py" line="202" />
        <source>Typical plugged</source>
        <translation>Typisk inkopplingstid</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="200" />
        <source>Card group</source>
        <translation>Kortgrupp</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="203" />
        <source>Charging</source>
        <translation>Laddar</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="204" />
        <location filename="../../ui/reports/capacity_page.py" line="207" />
        <source>Idle</source>
        <translation>Tomgång</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="207" />
        <source>Most idle</source>
        <translation>Mest tomgång</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="256" />
        <source>Computing…</source>
        <translation>Beräknar…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="260" />
        <source>Failed: {0}</source>
        <translation>Misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="268" />
        <source>1 session, {1}</source>
        <translation>1 laddning, {1}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="268" />
        <source>{0} sessions, {1}</source>
        <translation>{0} laddningar, {1}</translation>
    </message>
    <message>
        <source>{0} sessions, {1} kWh</source>
        <translation type="vanished">{0} laddningar, {1} kWh</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="342" />
        <source>Export capacity report</source>
        <translation>Exportera beläggningsrapport</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="342" />
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="353" />
        <source>Writing PDF…</source>
        <translation>Skriver PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="360" />
        <source>Could not save {0}: {1}</source>
        <translation>Kunde inte spara {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="362" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
</context>
<context>
    <name>CardDialog</name>
    <message>
        <location filename="../../ui/cards/dialog.py" line="103" />
        <source>Edit card</source>
        <translation>Redigera kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="103" />
        <source>Enrol a card</source>
        <translation>Registrera ett kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="107" />
        <source>Tap the card on the desk reader, or type it</source>
        <translation>Håll kortet mot diskläsaren, eller skriv in det</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="116" />
        <source>from</source>
        <translation>från</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="117" />
        <source>until</source>
        <translation>till</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="120" />
        <source>Tick none for every bay</source>
        <translation>Bocka inget för alla platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="127" />
        <source>no limit</source>
        <translation>ingen gräns</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="128" />
        <source>Blocked (refused at every bay)</source>
        <translation>Spärrat (nekas på alla platser)</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="320" />
        <location filename="../../ui/cards/dialog.py" line="135" />
        <source>Card number</source>
        <translation>Kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="137" />
        <source>Label</source>
        <translation>Etikett</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="321" />
        <location filename="../../ui/cards/dialog.py" line="138" />
        <source>Holder</source>
        <translation>Innehavare</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="139" />
        <source>Group</source>
        <translation>Grupp</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="143" />
        <source>Valid</source>
        <translation>Giltigt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="144" />
        <source>Allowed bays</source>
        <translation>Tillåtna platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="145" />
        <source>Sessions at once</source>
        <translation>Laddningar samtidigt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="146" />
        <source>Max current</source>
        <translation>Max ström</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="147" />
        <source>Budgets</source>
        <translation>Budgetar</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="149" />
        <source>Note</source>
        <translation>Anteckning</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="181" />
        <source>This card no longer exists.</source>
        <translation>Kortet finns inte längre.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="211" />
        <source>Vehicle id tag</source>
        <translation>Fordonets id-tagg</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="212" />
        <source>The id tag the charger reports for the car</source>
        <translation>Id-taggen som laddaren rapporterar för bilen</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="264" />
        <source>Already enrolled as {0}{1}</source>
        <translation>Redan registrerat som {0}{1}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="268" />
        <source>Stored as {0}</source>
        <translation>Sparas som {0}</translation>
    </message>
</context>
<context>
    <name>CardStep</name>
    <message>
        <location filename="../../ui/access/first_site.py" line="300" />
        <source>The first card</source>
        <translation>Det första kortet</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="303" />
        <source>A card that may charge here, and who holds it. More cards are enrolled under Cards.</source>
        <translation>Ett kort som får ladda här, och vem som har det. Fler kort registreras under Kort.</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="309" />
        <source>Type the card's number</source>
        <translation>Skriv kortets nummer</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="312" />
        <source>e.g. Maria Nilsson</source>
        <translation>t.ex. Maria Nilsson</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="346" />
        <source>Tap a card at the desk reader, or type its number</source>
        <translation>Håll ett kort mot diskläsaren, eller skriv dess nummer</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="347" />
        <source>Desk reader: {0}</source>
        <translation>Diskläsare: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="370" />
        <source>Card {0} ({1})</source>
        <translation>Kort {0} ({1})</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="370" />
        <source>no holder</source>
        <translation>ingen innehavare</translation>
    </message>
</context>
<context>
    <name>CardTableModel</name>
    <message>
        <location filename="../../ui/cards/model.py" line="25" />
        <source>Blocked</source>
        <translation>Spärrat</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="26" />
        <source>Group blocked</source>
        <translation>Gruppen spärrad</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="27" />
        <source>Expired</source>
        <translation>Utgånget</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="28" />
        <source>Not yet valid</source>
        <translation>Ännu inte giltigt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="29" />
        <source>Active</source>
        <translation>Aktivt</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="37" />
        <source>Card number</source>
        <translation>Kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="38" />
        <source>Label</source>
        <translation>Etikett</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="39" />
        <source>Holder</source>
        <translation>Innehavare</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="40" />
        <source>Group</source>
        <translation>Grupp</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="41" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="42" />
        <source>Valid from</source>
        <translation>Giltigt från</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="43" />
        <source>Valid to</source>
        <translation>Giltigt till</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="44" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="45" />
        <source>Max sessions</source>
        <translation>Max laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="46" />
        <source>Max current</source>
        <translation>Max ström</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="47" />
        <source>Note</source>
        <translation>Anteckning</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="90" />
        <source>No restriction: the card works at every bay</source>
        <translation>Ingen begränsning: kortet fungerar på alla platser</translation>
    </message>
    <message>
        <location filename="../../ui/cards/model.py" line="110" />
        <source>all</source>
        <translation>alla</translation>
    </message>
</context>
<context>
    <name>CardsPage</name>
    <message>
        <location filename="../../ui/cards/page.py" line="75" />
        <source>Tap a card on the desk reader (or type its number and press Enter)</source>
        <translation>Håll ett kort mot diskläsaren (eller skriv numret och tryck Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="82" />
        <source>Show card</source>
        <translation>Visa kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="85" />
        <source>keyboard reader</source>
        <translation>tangentbordsläsare</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="89" />
        <source>Enrol:</source>
        <translation>Registrera:</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="99" />
        <source>Search label, holder or card number (any spelling)</source>
        <translation>Sök etikett, innehavare eller kortnummer (valfri stavning)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="105" />
        <source>Enrol card…</source>
        <translation>Registrera kort…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="106" />
        <source>Edit…</source>
        <translation>Redigera…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="107" />
        <location filename="../../ui/cards/page.py" line="285" />
        <source>Block</source>
        <translation>Spärra</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="108" />
        <source>Import CSV…</source>
        <translation>Importera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="109" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="165" />
        <source>Desk reader {0}: {1}</source>
        <translation>Diskläsare {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="191" />
        <source>The site is not reachable ({0}): the list is as last read.</source>
        <translation>Platsen kan inte nås ({0}): listan är som senast lästes.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="244" />
        <source>1 card</source>
        <translation>1 kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="244" />
        <source>{0} cards</source>
        <translation>{0} kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="344" />
        <source>New card {0}{1}. {2}</source>
        <translation>Nytt kort {0}{1}. {2}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="442" />
        <source>Imported 1 card.</source>
        <translation>Importerade 1 kort.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="442" />
        <source>Imported {0} cards.</source>
        <translation>Importerade {0} kort.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="469" />
        <source>Exported 1 card to {1}.</source>
        <translation>Exporterade 1 kort till {1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="471" />
        <source>Exported {0} cards to {1}.</source>
        <translation>Exporterade {0} kort till {1}.</translation>
    </message>
    <message>
        <source>{0} card(s)</source>
        <translation type="vanished">{0} kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="285" />
        <source>Unblock</source>
        <translation>Häv spärr</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="325" />
        <source> (read by the {0})</source>
        <translation> (läst av {0})</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="331" />
        <source>Card {0}{1} is already enrolled as {2}{3}.</source>
        <translation>Kort {0}{1} är redan registrerat som {2}{3}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="339" />
        <source>New card {0}{1}.</source>
        <translation>Nytt kort {0}{1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="356" />
        <source>desk reader {0}</source>
        <translation>disklässare {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="371" />
        <source>Saved card {0}.</source>
        <translation>Sparade kort {0}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="396" />
        <source>Copy card number</source>
        <translation>Kopiera kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="412" />
        <source>Card {0} blocked.</source>
        <translation>Kort {0} spärrat.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="414" />
        <source>Card {0} unblocked.</source>
        <translation>Spärren för kort {0} hävd.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="429" />
        <source>Import cards</source>
        <translation>Importera kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="429" />
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-filer (*.csv);;Alla filer (*)</translation>
    </message>
    <message>
        <source>Imported {0} card(s).</source>
        <translation type="vanished">Importerade {0} kort.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="447" />
        <source>Export cards</source>
        <translation>Exportera kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="447" />
        <source>CSV files (*.csv)</source>
        <translation>CSV-filer (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="464" />
        <source>Exporting…</source>
        <translation>Exporterar…</translation>
    </message>
    <message>
        <source>Exported {0} card(s) to {1}.</source>
        <translation type="vanished">Exporterade {0} kort till {1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="477" />
        <source>Export failed: {0}</source>
        <translation>Exporten misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/page.py" line="506" />
        <source>Cards</source>
        <translation>Kort</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../../ui/access/login.py" line="149" />
        <source>Change password</source>
        <translation>Byt lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="151" />
        <source>Your password was reset by the owner. Choose your own to continue.</source>
        <translation>Ditt lösenord har återställts av ägaren. Välj ett eget för att fortsätta.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="153" />
        <source>Choose a new password.</source>
        <translation>Välj ett nytt lösenord.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="166" />
        <source>Current password</source>
        <translation>Nuvarande lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="167" />
        <source>New password</source>
        <translation>Nytt lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="168" />
        <source>New password again</source>
        <translation>Nytt lösenord igen</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="169" />
        <source>At least {0} characters.</source>
        <translation>Minst {0} tecken.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="184" />
        <source>The two new passwords differ.</source>
        <translation>De två nya lösenorden skiljer sig åt.</translation>
    </message>
</context>
<context>
    <name>ChargerDialog</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="217" />
        <source>Edit charger</source>
        <translation>Redigera laddare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="217" />
        <source>Add a charger</source>
        <translation>Lägg till en laddare</translation>
    </message>
    <message>
        <source>none (point to point; Modbus drivers use 1)</source>
        <translation type="vanished">ingen (punkt till punkt; Modbus-drivrutiner använder 1)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="50" />
        <source>Test connection opens this PC's serial ports, and the charger is connected to the site's PC: run it there (`stationmgr devices probe`).</source>
        <translation>Testa anslutningen öppnar den här datorns serieportar, och laddaren är ansluten till laddplatsens dator: kör det där (`stationmgr devices probe`).</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="195" />
        <location filename="../../ui/chargers/dialogs.py" line="227" />
        <source>none (point to point)</source>
        <translation>ingen (punkt till punkt)</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="198" />
        <location filename="../../ui/chargers/dialogs.py" line="228" />
        <source>Modbus slave address on an RS-485 bus</source>
        <translation>Modbus-slavadress på en RS-485-buss</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="233" />
        <source>Bay label</source>
        <translation>Platsens namn</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="236" />
        <source>Enabled (polled by the site)</source>
        <translation>Aktiverad (pollas av platsen)</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="204" />
        <location filename="../../ui/chargers/dialogs.py" line="238" />
        <source>Test connection</source>
        <translation>Testa anslutningen</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="214" />
        <location filename="../../ui/chargers/dialogs.py" line="246" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="215" />
        <location filename="../../ui/chargers/dialogs.py" line="247" />
        <source>Driver</source>
        <translation>Drivrutin</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="216" />
        <location filename="../../ui/chargers/dialogs.py" line="248" />
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="217" />
        <location filename="../../ui/chargers/dialogs.py" line="249" />
        <source>Address</source>
        <translation>Adress</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="250" />
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="251" />
        <source>Connectors</source>
        <translation>Uttag</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="218" />
        <location filename="../../ui/chargers/dialogs.py" line="252" />
        <source>Bays</source>
        <translation>Platser</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="293" />
        <source>Could not read this charger: {0}</source>
        <translation>Kunde inte läsa laddaren: {0}</translation>
    </message>
    <message>
        <source>This charger no longer exists.</source>
        <translation type="vanished">Laddaren finns inte längre.</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="317" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="260" />
        <location filename="../../ui/chargers/dialogs.py" line="367" />
        <source>Testing {0} on {1}…</source>
        <translation>Testar {0} på {1}…</translation>
    </message>
</context>
<context>
    <name>ChargerStep</name>
    <message>
        <location filename="../../ui/access/first_site.py" line="178" />
        <source>The first charger</source>
        <translation>Den första laddaren</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="181" />
        <source>Where the charger is connected and what its bays are called. Test the connection before you save; more chargers are added under Chargers.</source>
        <translation>Var laddaren är ansluten och vad dess platser heter. Testa anslutningen innan du sparar; fler laddare läggs till under Laddare.</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="189" />
        <source>e.g. North wall</source>
        <translation>t.ex. Norra väggen</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="201" />
        <source>One label per connector, separated by commas</source>
        <translation>En beteckning per uttag, åtskilda med kommatecken</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="291" />
        <source>Charger {0} with bays {1}</source>
        <translation>Laddare {0} med platserna {1}</translation>
    </message>
</context>
<context>
    <name>ChargersPage</name>
    <message>
        <location filename="../../ui/chargers/page.py" line="75" />
        <source>Charger / bay</source>
        <translation>Laddare / plats</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="76" />
        <location filename="../../ui/chargers/page.py" line="103" />
        <source>Driver</source>
        <translation>Drivrutin</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="77" />
        <location filename="../../ui/chargers/page.py" line="104" />
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="78" />
        <source>Address</source>
        <translation>Adress</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="79" />
        <location filename="../../ui/chargers/page.py" line="105" />
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="80" />
        <location filename="../../ui/chargers/page.py" line="107" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="88" />
        <source>Add charger…</source>
        <translation>Lägg till laddare…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="89" />
        <source>Edit / test…</source>
        <translation>Redigera / testa…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="90" />
        <location filename="../../ui/chargers/page.py" line="116" />
        <location filename="../../ui/chargers/page.py" line="428" />
        <source>Remove</source>
        <translation>Ta bort</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="94" />
        <source>OCPP…</source>
        <translation>OCPP…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="95" />
        <source>The charger's own configuration and its messages</source>
        <translation>Laddarens egen konfiguration och dess meddelanden</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="102" />
        <source>Card reader</source>
        <translation>Kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="106" />
        <source>Reads cards for</source>
        <translation>Läser kort för</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="114" />
        <source>Add reader…</source>
        <translation>Lägg till läsare…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="115" />
        <source>Edit…</source>
        <translation>Redigera…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="133" />
        <source>Chargers and their bays</source>
        <translation>Laddare och deras platser</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="146" />
        <source>Card readers</source>
        <translation>Kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="183" />
        <source>The site cannot be reached: {0}</source>
        <translation>Platsen kan inte nås: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="203" />
        <source>Could not read the chargers: {0}</source>
        <translation>Kunde inte läsa laddarna: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="237" />
        <source>card reader: {0}</source>
        <translation>kortläsare: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="239" />
        <source>no card reader</source>
        <translation>ingen kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="256" />
        <location filename="../../ui/chargers/page.py" line="278" />
        <source>enabled</source>
        <translation>aktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="256" />
        <location filename="../../ui/chargers/page.py" line="276" />
        <source>disabled</source>
        <translation>avaktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="437" />
        <source>Remove charger {0} and its bays? A session running on it is stopped. A charger with sessions on record is disabled instead, so its history stays.</source>
        <translation>Ta bort laddaren {0} och dess platser? En pågående laddning på den stoppas. En laddare med sparade laddningar inaktiveras i stället, så att historiken finns kvar.</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="232" />
        <source>Bay {0} (connector {1})</source>
        <translation>Plats {0} (uttag {1})</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="255" />
        <source>bay {0}</source>
        <translation>plats {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="255" />
        <source>the desk (enrolment)</source>
        <translation>disken (registrering)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="267" />
        <source>No charger yet: add one, pick its port and press Test connection.</source>
        <translation>Ingen laddare än: lägg till en, välj dess port och tryck Testa anslutningen.</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="43" />
        <source>enabled · connecting</source>
        <translation>aktiverad · ansluter</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="41" />
        <source>enabled · answering</source>
        <translation>aktiverad · svarar</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="42" />
        <source>enabled · not answering</source>
        <translation>aktiverad · svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="44" />
        <source>enabled · not running (see the site's log)</source>
        <translation>aktiverad · körs inte (se laddplatsens logg)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="45" />
        <source>enabled · waiting for the charge point to connect</source>
        <translation>aktiverad · väntar på att laddpunkten ansluter</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="448" />
        <source>Charger has sessions on record: disabled, not removed. </source>
        <translation>Laddaren har sparade laddningar: inaktiverad, inte borttagen. </translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="457" />
        <source>Remove this card reader?</source>
        <translation>Ta bort kortläsaren?</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/page.py" line="468" />
        <source>Chargers</source>
        <translation>Laddare</translation>
    </message>
</context>
<context>
    <name>CurvePanel</name>
    <message>
        <location filename="../../ui/board/curves.py" line="101" />
        <source>Power</source>
        <translation>Effekt</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="102" />
        <source>Site total</source>
        <translation>Totalt</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="104" />
        <source>&amp;Day</source>
        <translation>&amp;Dygn</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="105" />
        <source>Zoom out to the whole day (D)</source>
        <translation>Visa hela dygnet (D)</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="106" />
        <source>&amp;Live</source>
        <translation>&amp;Live</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="107" />
        <source>Follow the newest minutes again (L)</source>
        <translation>Följ de senaste minuterna igen (L)</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="110" />
        <source>Drag to pan, wheel to zoom</source>
        <translation>Dra för att panorera, scrolla för att zooma</translation>
    </message>
    <message>
        <location filename="../../ui/board/curves.py" line="129" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
</context>
<context>
    <name>DriverBox</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="137" />
        <source>OpenEVSE (RAPI, serial)</source>
        <translation>OpenEVSE (RAPI, seriell)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="138" />
        <source>Heidelberg Energy Control (Modbus RTU)</source>
        <translation>Heidelberg Energy Control (Modbus RTU)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="139" />
        <source>EVSE-DIN / SimpleEVSE (Modbus RTU)</source>
        <translation>EVSE-DIN / SimpleEVSE (Modbus RTU)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="140" />
        <source>OCPP 1.6J charge point (network)</source>
        <translation>OCPP 1.6J-laddpunkt (nätverk)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="141" />
        <source>RDM6300 125 kHz reader (serial)</source>
        <translation>RDM6300 125 kHz-läsare (seriell)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="142" />
        <source>ID-12 / ID-20 125 kHz reader (serial)</source>
        <translation>ID-12 / ID-20 125 kHz-läsare (seriell)</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="178" />
        <source>Set up stationmgr</source>
        <translation>Konfigurera stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="197" />
        <source>Save and continue</source>
        <translation>Spara och fortsätt</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="199" />
        <source>Skip</source>
        <translation>Hoppa över</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../ui/history/model.py" line="40" />
        <source>Plugged in</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="41" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="42" />
        <source>Holder</source>
        <translation>Innehavare</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="43" />
        <source>Card</source>
        <translation>Kort</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="44" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="45" />
        <source>Plugged</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="46" />
        <source>Charging</source>
        <translation>Laddtid</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="47" />
        <source>Idle</source>
        <translation>Tomgång</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="48" />
        <source>Stop reason</source>
        <translation>Stopporsak</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="49" />
        <source>Price</source>
        <translation>Pris</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="51" />
        <source>Receipt</source>
        <translation>Kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="53" />
        <source>Session</source>
        <translation>Laddning</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="183" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="196" />
        <source>running</source>
        <translation>pågår</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="200" />
        <source>charging now</source>
        <translation>laddar nu</translation>
    </message>
    <message>
        <location filename="../../ui/history/model.py" line="215" />
        <source>stopped {0}</source>
        <translation>stoppad {0}</translation>
    </message>
</context>
<context>
    <name>HistoryPage</name>
    <message>
        <location filename="../../ui/history/page.py" line="84" />
        <source>Today</source>
        <translation>I dag</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="85" />
        <source>Last 7 days</source>
        <translation>Senaste 7 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="86" />
        <source>Last 30 days</source>
        <translation>Senaste 30 dagarna</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="87" />
        <source>This month</source>
        <translation>Denna månad</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="88" />
        <source>Last month</source>
        <translation>Förra månaden</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="89" />
        <source>All time</source>
        <translation>All tid</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="90" />
        <source>Dates…</source>
        <translation>Datum…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="104" />
        <source>All bays</source>
        <translation>Alla platser</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="106" />
        <source>Card number</source>
        <translation>Kortnummer</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="109" />
        <source>Holder name</source>
        <translation>Innehavarens namn</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="113" />
        <source>Any stop reason</source>
        <translation>Alla stopporsaker</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="116" />
        <source>Running only</source>
        <translation>Endast pågående</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="117" />
        <source>Refresh</source>
        <translation>Uppdatera</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="120" />
        <source>Export CSV…</source>
        <translation>Exportera CSV…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="157" />
        <source>Open session</source>
        <translation>Öppna laddning</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="168" />
        <source>No receipt: {0}</source>
        <translation>Inget kvitto: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="308" />
        <location filename="../../ui/history/page.py" line="309" />
        <source>loading…</source>
        <translation>läser in…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="202" />
        <source>failed: {0}</source>
        <translation>misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="224" />
        <source>Could not read the bays: {0}</source>
        <translation>Kunde inte läsa platserna: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="234" />
        <source>The site cannot be reached: {0}</source>
        <translation>Platsen kan inte nås: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="269" />
        <source>{0} · {1} · plugged {2} · charging {3} · idle {4}</source>
        <translation>{0} · {1} · inkopplad {2} · laddning {3} · tomgång {4}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="270" />
        <source>1 session</source>
        <translation>1 laddning</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="270" />
        <source>{0} sessions</source>
        <translation>{0} laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="328" />
        <source>Details…</source>
        <translation>Detaljer…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="329" />
        <source>Receipt…</source>
        <translation>Kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="330" />
        <source>Print receipt</source>
        <translation>Skriv ut kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="334" />
        <source>A receipt is issued once the session stops</source>
        <translation>Ett kvitto utfärdas när laddningen har avslutats</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="337" />
        <source>Copy session number</source>
        <translation>Kopiera laddningsnummer</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="340" />
        <source>Copy transaction id</source>
        <translation>Kopiera transaktions-id</translation>
    </message>
    <message>
        <source>{0} sessions · {1} · plugged {2} h · charging {3} h · idle {4} h</source>
        <translation type="vanished">{0} laddningar · {1} · inkopplad {2} h · laddning {3} h · tomgång {4} h</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="354" />
        <source>Export sessions</source>
        <translation>Exportera laddningar</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="354" />
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="363" />
        <source>Exporting…</source>
        <translation>Exporterar…</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="370" />
        <source>Could not save {0}: {1}</source>
        <translation>Kunde inte spara {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="372" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="375" />
        <source>Export failed: {0}</source>
        <translation>Exporten misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/page.py" line="382" />
        <source>History</source>
        <translation>Historik</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="52" />
        <source>Import cards from {0}</source>
        <translation>Importera kort från {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="54" />
        <source>Reading {0}…</source>
        <translation>Läser {0}…</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="63" />
        <source>Import</source>
        <translation>Importera</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="79" />
        <source>The file is not UTF-8 text; save it as CSV UTF-8 and retry.</source>
        <translation>Filen är inte UTF-8-text; spara den som CSV UTF-8 och försök igen.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="82" />
        <source>Cannot read the file: {0}</source>
        <translation>Kan inte läsa filen: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="126" />
        <source>1 card checked, no problem found{1}.</source>
        <translation>1 kort kontrollerat, inga problem hittades{1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="128" />
        <source>{0} cards checked, no problem found{1}.</source>
        <translation>{0} kort kontrollerade, inga problem hittades{1}.</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="132" />
        <source>Import 1 card</source>
        <translation>Importera 1 kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="132" />
        <source>Import {0} cards</source>
        <translation>Importera {0} kort</translation>
    </message>
    <message>
        <source>Check failed: {0}</source>
        <translation type="vanished">Kontrollen misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="99" />
        <source>Line</source>
        <translation>Rad</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="114" />
        <source> (first {0} shown)</source>
        <translation> (de första {0} visas)</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="118" />
        <source>{0}
The file is rejected whole: nothing will be imported. Fix that row and open the file again.</source>
        <translation>{0}
Hela filen avvisas: inget importeras. Rätta raden och öppna filen igen.</translation>
    </message>
    <message>
        <source>{0} card(s) checked, no problem found{1}.</source>
        <translation type="vanished">{0} kort kontrollerade, inga problem hittades{1}.</translation>
    </message>
    <message>
        <source>Import {0} card(s)</source>
        <translation type="vanished">Importera {0} kort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/csv_import.py" line="138" />
        <source>Importing…</source>
        <translation>Importerar…</translation>
    </message>
</context>
<context>
    <name>InvoicesView</name>
    <message>
        <location filename="../../ui/billing/invoices.py" line="52" />
        <source>Every monthly buyer</source>
        <translation>Alla månadskunder</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="56" />
        <source>Issue invoices</source>
        <translation>Utfärda fakturor</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="57" />
        <source>Refresh</source>
        <translation>Uppdatera</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="58" />
        <source>Save PDF…</source>
        <translation>Spara PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="59" />
        <source>Register payment…</source>
        <translation>Registrera betalning…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="60" />
        <source>Credit…</source>
        <translation>Kreditera…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="65" />
        <source>No.</source>
        <translation>Nr</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="66" />
        <source>Kind</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="67" />
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="68" />
        <source>Due</source>
        <translation>Förfaller</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="69" />
        <source>Buyer</source>
        <translation>Köpare</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="70" />
        <source>Total</source>
        <translation>Summa</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="71" />
        <source>Paid</source>
        <translation>Betalt</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="72" />
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="73" />
        <source>OCR</source>
        <translation>OCR</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="83" />
        <source>Month</source>
        <translation>Månad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="133" />
        <source>Group: {0}</source>
        <translation>Grupp: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="133" />
        <source>Holder: {0}</source>
        <translation>Innehavare: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="151" />
        <source>credit note</source>
        <translation>kreditfaktura</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="151" />
        <source>invoice</source>
        <translation>faktura</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="153" />
        <source>credits {0}</source>
        <translation>krediterar {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="155" />
        <source>credited by {0}</source>
        <translation>krediterad genom {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="183" />
        <source>Issued: {0}</source>
        <translation>Utfärdade: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="183" />
        <source>None issued</source>
        <translation>Inga utfärdade</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="186" />
        <source>Issuing…</source>
        <translation>Utfärdar…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="195" />
        <source>Invoice {0}: {1} of {2} paid ({3})</source>
        <translation>Faktura {0}: {1} av {2} betalt ({3})</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="209" />
        <source>Credit note {0} for invoice {1}</source>
        <translation>Kreditfaktura {0} för faktura {1}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="219" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="235" />
        <source>Failed: {0}</source>
        <translation>Misslyckades: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="244" />
        <source>Save</source>
        <translation>Spara</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="254" />
        <location filename="../../ui/billing/invoices.py" line="259" />
        <source>Payment</source>
        <translation>Betalning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="254" />
        <source>Paid on (YYYY-MM-DD)</source>
        <translation>Betalt den (ÅÅÅÅ-MM-DD)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="259" />
        <source>Amount (empty: the rest)</source>
        <translation>Belopp (tomt: resten)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="280" />
        <source>Credit note</source>
        <translation>Kreditfaktura</translation>
    </message>
    <message>
        <location filename="../../ui/billing/invoices.py" line="280" />
        <source>Reason</source>
        <translation>Orsak</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/access/login.py" line="59" />
        <source>Sign in — stationmgr</source>
        <translation>Logga in — stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="60" />
        <source>Sign in to use this site.</source>
        <translation>Logga in för att använda platsen.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="73" />
        <source>User</source>
        <translation>Användare</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="74" />
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="78" />
        <source>Sign in</source>
        <translation>Logga in</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="95" />
        <source>Enter your user name and password.</source>
        <translation>Ange användarnamn och lösenord.</translation>
    </message>
    <message>
        <location filename="../../ui/access/login.py" line="98" />
        <source>Checking…</source>
        <translation>Kontrollerar…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/mainwindow.py" line="50" />
        <source>stationmgr — charging site</source>
        <translation>stationmgr — laddplats</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="100" />
        <source>Show stationmgr</source>
        <translation>Visa stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="102" />
        <source>Quit</source>
        <translation>Avsluta</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="207" />
        <source>&amp;File</source>
        <translation>&amp;Arkiv</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="208" />
        <source>&amp;Settings…</source>
        <translation>&amp;Inställningar…</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="218" />
        <source>&amp;Quit</source>
        <translation>&amp;Avsluta</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="222" />
        <source>&amp;View</source>
        <translation>&amp;Visa</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="223" />
        <source>&amp;Full screen</source>
        <translation>&amp;Helskärm</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="232" />
        <source>&amp;Help</source>
        <translation>&amp;Hjälp</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="234" />
        <source>&amp;About stationmgr</source>
        <translation>&amp;Om stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="241" />
        <source>About stationmgr</source>
        <translation>Om stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="242" />
        <source>stationmgr {0}
Monitor and run a small EV charging site.</source>
        <translation>stationmgr {0}
Övervaka och driv en liten laddplats för elbilar.</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="258" />
        <source>{0} — stationmgr</source>
        <translation>{0} — stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="271" />
        <source>site not running: history only</source>
        <translation>platsen körs inte: endast historik</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="279" />
        <source>waiting for the site…</source>
        <translation>väntar på platsen…</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.py" line="283" />
        <source>site not reachable</source>
        <translation>platsen kan inte nås</translation>
    </message>
    <message>
        <source>no engine: history only</source>
        <translation type="vanished">ingen motor: endast historik</translation>
    </message>
    <message>
        <source>(time ×{0})</source>
        <translation type="vanished">(tid ×{0})</translation>
    </message>
</context>
<context>
    <name>MonthsView</name>
    <message>
        <location filename="../../ui/billing/months.py" line="46" />
        <source>Refresh</source>
        <translation>Uppdatera</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="47" />
        <source>Close month…</source>
        <translation>Stäng månad…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="48" />
        <source>Export SIE again…</source>
        <translation>Exportera SIE igen…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="49" />
        <source>Export CSV again…</source>
        <translation>Exportera CSV igen…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="50" />
        <source>The SIE file exactly as stored when the month was closed</source>
        <translation>SIE-filen exakt som den sparades när månaden stängdes</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="51" />
        <source>The CSV file exactly as stored when the month was closed</source>
        <translation>CSV-filen exakt som den sparades när månaden stängdes</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="57" />
        <source>Month</source>
        <translation>Månad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="58" />
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="59" />
        <source>Closed by</source>
        <translation>Stängd av</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="60" />
        <source>Closed at</source>
        <translation>Stängd</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="61" />
        <source>Sales</source>
        <translation>Försäljning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="62" />
        <source>Ledger code</source>
        <translation>Kontrollkod huvudbok</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="125" />
        <source>closed</source>
        <translation>stängd</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="127" />
        <source>open: next to close</source>
        <translation>öppen: nästa att stänga</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="129" />
        <source>open</source>
        <translation>öppen</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="154" />
        <source>1 ledger entry</source>
        <translation>1 huvudbokspost</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="154" />
        <source>{0} ledger entries</source>
        <translation>{0} huvudboksposter</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="159" />
        <source>Close {0}? This freezes the month for the bookkeeping: its sales ({1}, {2}) and its SIE and CSV exports are stored as they are now, and every later export of {0} gives exactly these files. A session closed late or a correction dated in {0} is booked in the next open month instead. A closed month is never reopened.</source>
        <translation>Stäng {0}? Månaden låses för bokföringen: dess försäljning ({1}, {2}) och dess SIE- och CSV-export sparas som de är nu, och varje senare export av {0} ger exakt dessa filer. En laddning som avslutas sent eller en rättelse daterad i {0} bokförs i stället i nästa öppna månad. En stängd månad öppnas aldrig igen.</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="176" />
        <source>Close month</source>
        <translation>Stäng månad</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="182" />
        <source>Close {0}</source>
        <translation>Stäng {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="196" />
        <source>{0} closed: {1}, ledger code {2}</source>
        <translation>{0} stängd: {1}, kontrollkod huvudbok {2}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="201" />
        <source>Closing {0}…</source>
        <translation>Stänger {0}…</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="211" />
        <source>Saved {0}</source>
        <translation>Sparade {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="221" />
        <source>Export again</source>
        <translation>Exportera igen</translation>
    </message>
    <message>
        <location filename="../../ui/billing/months.py" line="237" />
        <source>Failed: {0}</source>
        <translation>Misslyckades: {0}</translation>
    </message>
</context>
<context>
    <name>OcppDialog</name>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="53" />
        <source>Charger {0} (OCPP)</source>
        <translation>Laddare {0} (OCPP)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="59" />
        <source>Key</source>
        <translation>Nyckel</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="59" />
        <source>Value</source>
        <translation>Värde</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="59" />
        <source>Read-only</source>
        <translation>Skrivskyddad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="64" />
        <source>pick a key</source>
        <translation>välj en nyckel</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="68" />
        <source>Change on the charger</source>
        <translation>Ändra i laddaren</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="70" />
        <location filename="../../ui/chargers/ocpp.py" line="87" />
        <source>Read again</source>
        <translation>Läs igen</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="83" />
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="83" />
        <source>Direction</source>
        <translation>Riktning</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="83" />
        <source>Kind</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="83" />
        <source>Action</source>
        <translation>Åtgärd</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="84" />
        <source>Unique id</source>
        <translation>Unikt id</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="84" />
        <source>Payload</source>
        <translation>Innehåll</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="95" />
        <source>Configuration</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="96" />
        <source>Messages</source>
        <translation>Meddelanden</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="124" />
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="171" />
        <source>{0}={1}: {2}</source>
        <translation>{0}={1}: {2}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="190" />
        <source>charger → site</source>
        <translation>laddare → plats</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/ocpp.py" line="190" />
        <source>site → charger</source>
        <translation>plats → laddare</translation>
    </message>
</context>
<context>
    <name>OperatorForm</name>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="60" />
        <source>New password for {0}</source>
        <translation>Nytt lösenord för {0}</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="62" />
        <source>Add an operator</source>
        <translation>Lägg till en operatör</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="84" />
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="86" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="87" />
        <source>Role</source>
        <translation>Roll</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="88" />
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="89" />
        <source>Password again</source>
        <translation>Lösenord igen</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="90" />
        <source>At least {0} characters.</source>
        <translation>Minst {0} tecken.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="104" />
        <source>The two passwords differ.</source>
        <translation>De två lösenorden skiljer sig åt.</translation>
    </message>
</context>
<context>
    <name>OperatorsDialog</name>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="44" />
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="45" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="46" />
        <source>Role</source>
        <translation>Roll</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="47" />
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="48" />
        <source>Locked until</source>
        <translation>Låst till</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="49" />
        <source>Last login</source>
        <translation>Senaste inloggning</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="134" />
        <source>Operators</source>
        <translation>Operatörer</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="145" />
        <source>Add…</source>
        <translation>Lägg till…</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="146" />
        <source>New password…</source>
        <translation>Nytt lösenord…</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="150" />
        <source>Set role</source>
        <translation>Ange roll</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="151" />
        <location filename="../../ui/access/operators_dialog.py" line="236" />
        <location filename="../../ui/access/operators_dialog.py" line="305" />
        <location filename="../../ui/access/operators_dialog.py" line="309" />
        <source>Disable</source>
        <translation>Avaktivera</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="203" />
        <location filename="../../ui/access/operators_dialog.py" line="235" />
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="203" />
        <source>disabled</source>
        <translation>avaktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="236" />
        <source>Enable</source>
        <translation>Aktivera</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="267" />
        <source>Added {0}.</source>
        <translation>Lade till {0}.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="281" />
        <source>New password set for {0}; they choose their own at the next login.</source>
        <translation>Nytt lösenord satt för {0}; hen väljer ett eget vid nästa inloggning.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="296" />
        <source>{0} is now {1}.</source>
        <translation>{0} är nu {1}.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="309" />
        <source>Disable {0}?</source>
        <translation>Avaktivera {0}?</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="314" />
        <source>{0} disabled.</source>
        <translation>{0} avaktiverad.</translation>
    </message>
    <message>
        <location filename="../../ui/access/operators_dialog.py" line="314" />
        <source>{0} enabled.</source>
        <translation>{0} aktiverad.</translation>
    </message>
</context>
<context>
    <name>PendingBox</name>
    <message>
        <location filename="../../ui/chargers/pending.py" line="119" />
        <source>Charge points waiting to be accepted</source>
        <translation>Laddpunkter som väntar på godkännande</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="130" />
        <source>Charge point id</source>
        <translation>Laddpunkts-id</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="130" />
        <source>Vendor</source>
        <translation>Tillverkare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="130" />
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="130" />
        <source>First seen</source>
        <translation>Först sedd</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="135" />
        <source>Accept…</source>
        <translation>Godkänn…</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="136" />
        <location filename="../../ui/chargers/pending.py" line="239" />
        <source>Refuse</source>
        <translation>Neka</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="204" />
        <source>Charge point {0} accepted as charger {1}. </source>
        <translation>Laddpunkt {0} godkänd som laddare {1}. </translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="222" />
        <source>Refuse charge point {0}? It may not join this site; to let it in later, add it as an OCPP charger with this charge point id.</source>
        <translation>Neka laddpunkt {0}? Den får inte ansluta till laddplatsen; för att släppa in den senare, lägg till den som OCPP-laddare med detta laddpunkts-id.</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/pending.py" line="230" />
        <source>Charge point {0} refused. </source>
        <translation>Laddpunkt {0} nekad. </translation>
    </message>
</context>
<context>
    <name>PortPicker</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="88" />
        <source>Rescan</source>
        <translation>Sök igen</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="89" />
        <source>Look for serial ports again (after plugging an adapter)</source>
        <translation>Sök efter serieportar igen (efter att en adapter kopplats in)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="98" />
        <source>a port on the site's PC: /dev/ttyUSB0, COM3, socket://host:port</source>
        <translation>en port på platsens dator: /dev/ttyUSB0, COM3, socket://värd:port</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="114" />
        <source>no serial port found: type a port or socket://host:port</source>
        <translation>ingen serieport hittades: skriv en port eller socket://värd:port</translation>
    </message>
</context>
<context>
    <name>ReaderDialog</name>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="413" />
        <source>Edit card reader</source>
        <translation>Redigera kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="413" />
        <source>Add a card reader</source>
        <translation>Lägg till en kortläsare</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="422" />
        <source>Desk (enrolment)</source>
        <translation>Disk (registrering)</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="466" />
        <source>Could not read the card readers: {0}</source>
        <translation>Kunde inte läsa kortläsarna: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="471" />
        <source>Bay {0}</source>
        <translation>Plats {0}</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="423" />
        <source>Enabled</source>
        <translation>Aktiverad</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="56" />
        <source>Test connection opens this PC's serial ports, and the reader is connected to the site's PC: run it there (`stationmgr devices probe rdm6300 PORT`).</source>
        <translation>Testa anslutningen öppnar den här datorns serieportar, och läsaren är ansluten till laddplatsens dator: kör det där (`stationmgr devices probe rdm6300 PORT`).</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="428" />
        <source>Test connection</source>
        <translation>Testa anslutningen</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="429" />
        <source>Open the port and show the next card held on it</source>
        <translation>Öppna porten och visa nästa kort som hålls mot läsaren</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="436" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="437" />
        <source>Driver</source>
        <translation>Drivrutin</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="438" />
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="439" />
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="440" />
        <source>Reads cards for</source>
        <translation>Läser kort för</translation>
    </message>
    <message>
        <location filename="../../ui/chargers/dialogs.py" line="521" />
        <source>Testing {0} on {1}: hold a card on the reader…</source>
        <translation>Testar {0} på {1}: håll ett kort mot läsaren…</translation>
    </message>
    <message>
        <source>This card reader no longer exists.</source>
        <translation type="vanished">Kortläsaren finns inte längre.</translation>
    </message>
</context>
<context>
    <name>ReadyPage</name>
    <message>
        <location filename="../../ui/access/first_site.py" line="375" />
        <source>No tariff yet: add one under Tariffs before the first session is billed.</source>
        <translation>Ingen taxa än: lägg till en under Taxor innan den första laddningen faktureras.</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="378" />
        <source>No charger yet: add one under Chargers.</source>
        <translation>Ingen laddare än: lägg till en under Laddare.</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="379" />
        <source>No card yet: enrol cards under Cards.</source>
        <translation>Inget kort än: registrera kort under Kort.</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="389" />
        <source>Ready</source>
        <translation>Klart</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="390" />
        <source>The site is set up. Everything here can be changed later.</source>
        <translation>Laddplatsen är klar. Allt här kan ändras senare.</translation>
    </message>
</context>
<context>
    <name>RotationHint</name>
    <message>
        <location filename="../../ui/reports/rotation.py" line="22" />
        <source>Free soonest</source>
        <translation>Ledig snarast</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="67" />
        <source>No estimates: {0}</source>
        <translation>Inga uppskattningar: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="74" />
        <source>No live engine: no estimates.</source>
        <translation>Ingen motor igång: inga uppskattningar.</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="76" />
        <source>No bay can take a car now.</source>
        <translation>Ingen plats kan ta emot en bil nu.</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="84" />
        <source>{0}: free now</source>
        <translation>{0}: ledig nu</translation>
    </message>
    <message>
        <location filename="../../ui/reports/rotation.py" line="88" />
        <source>{0}: about {1} (in {2} min)</source>
        <translation>{0}: omkring {1} (om {2} min)</translation>
    </message>
</context>
<context>
    <name>SellerFields</name>
    <message>
        <location filename="../../ui/site_fields.py" line="30" />
        <source>e.g. Brf Solrosen</source>
        <translation>t.ex. Brf Solrosen</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="34" />
        <source>Street 1; 123 45 Town (lines split by ;)</source>
        <translation>Gatan 1; 123 45 Orten (rader delas med ;)</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="37" />
        <source>Registered for VAT</source>
        <translation>Momsregistrerad</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="48" />
        <source>Seller's name</source>
        <translation>Säljarens namn</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="49" />
        <source>Organisation number</source>
        <translation>Organisationsnummer</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="50" />
        <source>Address</source>
        <translation>Adress</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="52" />
        <source>VAT number</source>
        <translation>Momsregistreringsnummer</translation>
    </message>
    <message>
        <location filename="../../ui/site_fields.py" line="53" />
        <source>Time zone</source>
        <translation>Tidszon</translation>
    </message>
</context>
<context>
    <name>SessionDetailDialog</name>
    <message>
        <location filename="../../ui/history/detail.py" line="40" />
        <source>Session {0}</source>
        <translation>Laddning {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="42" />
        <source>Loading…</source>
        <translation>Läser in…</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="55" />
        <source>Receipt…</source>
        <translation>Kvitto…</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="58" />
        <source>Print receipt</source>
        <translation>Skriv ut kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="75" />
        <source>Could not read the session: {0}</source>
        <translation>Kunde inte läsa laddningen: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="85" />
        <source>No receipt: {0}</source>
        <translation>Inget kvitto: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="94" />
        <source>A receipt is issued once the session stops</source>
        <translation>Ett kvitto utfärdas när laddningen har avslutats</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="108" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="110" />
        <source>Bay</source>
        <translation>Plats</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="111" />
        <source>Card holder</source>
        <translation>Kortinnehavare</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="112" />
        <source>Card</source>
        <translation>Kort</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="113" />
        <source>Transaction</source>
        <translation>Transaktion</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="114" />
        <source>Plugged in</source>
        <translation>Inkopplad</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="115" />
        <source>Authorised</source>
        <translation>Godkänd</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="117" />
        <source>Stopped</source>
        <translation>Stoppad</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="118" />
        <source>still running</source>
        <translation>pågår fortfarande</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="121" />
        <source>Stop reason</source>
        <translation>Stopporsak</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="125" />
        <source>Stopped by</source>
        <translation>Stoppad av</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="127" />
        <source>Plugged / waiting</source>
        <translation>Inkopplad / väntan</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="131" />
        <source>Charging / idle</source>
        <translation>Laddning / tomgång</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="135" />
        <source>Meter start / stop</source>
        <translation>Mätarställning start / stopp</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="140" />
        <location filename="../../ui/history/detail.py" line="266" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="143" />
        <source> (counter restarted {0}×)</source>
        <translation> (räknaren startade om {0}×)</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="150" />
        <source>Guest start</source>
        <translation>Gäststart</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="154" />
        <location filename="../../ui/history/detail.py" line="236" />
        <source>Price</source>
        <translation>Pris</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="156" />
        <source> incl. VAT {0}</source>
        <translation> inkl. moms {0}</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="161" />
        <source>Receipt</source>
        <translation>Kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="169" />
        <source>Summary</source>
        <translation>Sammanfattning</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="170" />
        <source>Curve</source>
        <translation>Kurva</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="173" />
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="173" />
        <source>Event</source>
        <translation>Händelse</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="173" />
        <source>Detail</source>
        <translation>Detalj</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="178" />
        <source>No events or faults</source>
        <translation>Inga händelser eller fel</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="180" />
        <source>Events and faults ({0})</source>
        <translation>Händelser och fel ({0})</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="186" />
        <source>Line</source>
        <translation>Rad</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="187" />
        <source>Quantity</source>
        <translation>Antal</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="188" />
        <source>Unit price</source>
        <translation>À-pris</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="189" />
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="190" />
        <source>VAT</source>
        <translation>Moms</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="191" />
        <source>Amount</source>
        <translation>Belopp</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="213" />
        <source>Total</source>
        <translation>Summa</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="243" />
        <source>Power</source>
        <translation>Effekt</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="248" />
        <source>No meter samples were stored for this session</source>
        <translation>Inga mätvärden sparades för denna laddning</translation>
    </message>
</context>
<context>
    <name>SessionLock</name>
    <message>
        <location filename="../../ui/access/lock.py" line="72" />
        <source>Lock now</source>
        <translation>Lås nu</translation>
    </message>
    <message>
        <location filename="../../ui/access/lock.py" line="123" />
        <source>Locked — stationmgr</source>
        <translation>Låst — stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/access/lock.py" line="125" />
        <source>The window is locked; the site keeps running. Sign in to continue, or sign in as yourself to take over the shift.</source>
        <translation>Fönstret är låst; platsen fortsätter att köras. Logga in för att fortsätta, eller logga in som dig själv för att ta över passet.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="33" />
        <source>Settings</source>
        <translation>Inställningar</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="37" />
        <location filename="../../ui/settings_dialog.py" line="43" />
        <source>As the system</source>
        <translation>Som systemet</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="43" />
        <source>Light</source>
        <translation>Ljust</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="43" />
        <source>Dark</source>
        <translation>Mörkt</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="49" />
        <source>&amp;Language:</source>
        <translation>&amp;Språk:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="50" />
        <source>&amp;Colours:</source>
        <translation>&amp;Färger:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="51" />
        <source>Changes apply when stationmgr starts next time.</source>
        <translation>Ändringarna gäller när stationmgr startas nästa gång.</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="65" />
        <source>Seller and time zone (the site's)</source>
        <translation>Säljare och tidszon (platsens)</translation>
    </message>
</context>
<context>
    <name>TariffEditor</name>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="84" />
        <source>of charging</source>
        <translation>av laddningen</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="85" />
        <source>of plugged time</source>
        <translation>av inkopplad tid</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="91" />
        <source>no cap</source>
        <translation>inget tak</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="94" />
        <source>Add version</source>
        <translation>Lägg till version</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="126" />
        <location filename="../../ui/billing/tariffs.py" line="49" />
        <location filename="../../ui/billing/tariffs.py" line="98" />
        <source>Name</source>
        <translation>Namn</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="50" />
        <location filename="../../ui/billing/tariffs.py" line="99" />
        <source>For</source>
        <translation>För</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="100" />
        <source>Valid from (site time)</source>
        <translation>Giltig från (platsens tid)</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="127" />
        <location filename="../../ui/billing/tariffs.py" line="101" />
        <source>Price per kWh</source>
        <translation>Pris per kWh</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="105" />
        <source>Price per hour</source>
        <translation>Pris per timme</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="128" />
        <location filename="../../ui/billing/tariffs.py" line="54" />
        <location filename="../../ui/billing/tariffs.py" line="106" />
        <source>Start fee</source>
        <translation>Startavgift</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="48" />
        <source>No.</source>
        <translation>Nr</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="131" />
        <location filename="../../ui/billing/tariffs.py" line="51" />
        <source>Valid from</source>
        <translation>Giltig från</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="52" />
        <source>Per kWh</source>
        <translation>Per kWh</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="53" />
        <source>Per hour</source>
        <translation>Per timme</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="55" />
        <source>Idle per min</source>
        <translation>Tomgång per min</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="56" />
        <source>Grace</source>
        <translation>Fri tid</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="57" />
        <source>Idle cap</source>
        <translation>Tak tomgångsavgift</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="58" />
        <source>VAT</source>
        <translation>Moms</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="107" />
        <source>Idle fee per minute</source>
        <translation>Tomgångsavgift per minut</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="108" />
        <source>Grace period (min)</source>
        <translation>Fri tid (min)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="109" />
        <source>Idle fee cap</source>
        <translation>Tak för tomgångsavgift</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="129" />
        <location filename="../../ui/billing/tariffs.py" line="110" />
        <source>VAT %</source>
        <translation>Moms %</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="130" />
        <location filename="../../ui/billing/tariffs.py" line="111" />
        <source>Currency</source>
        <translation>Valuta</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="113" />
        <source>New tariff version (prices net of VAT)</source>
        <translation>Ny taxeversion (priser exkl. moms)</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="174" />
        <source>guests</source>
        <translation>gäster</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="178" />
        <source>site default</source>
        <translation>platsens standard</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="201" />
        <source>Site default</source>
        <translation>Platsens standard</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="202" />
        <source>Guests</source>
        <translation>Gäster</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="204" />
        <source>Group: {0}</source>
        <translation>Grupp: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="249" />
        <source>Added version {0}</source>
        <translation>Lade till version {0}</translation>
    </message>
    <message>
        <location filename="../../ui/billing/tariffs.py" line="265" />
        <source>Tariff not added</source>
        <translation>Taxan lades inte till</translation>
    </message>
</context>
<context>
    <name>TariffStep</name>
    <message>
        <location filename="../../ui/access/first_site.py" line="101" />
        <source>The first tariff</source>
        <translation>Den första taxan</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="104" />
        <source>What charging costs here, net of VAT. It applies from now on; later prices are added as new versions under Tariffs.</source>
        <translation>Vad laddning kostar här, exklusive moms. Den gäller från och med nu; senare priser läggs till som nya versioner under Taxor.</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="109" />
        <source>Standard</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="144" />
        <source>now ({0} site time)</source>
        <translation>nu ({0} laddplatsens tid)</translation>
    </message>
    <message>
        <location filename="../../ui/access/first_site.py" line="167" />
        <source>Tariff {0}: {1} per kWh, start fee {2}, VAT {3} %</source>
        <translation>Taxa {0}: {1} per kWh, startavgift {2}, moms {3} %</translation>
    </message>
</context>
<context>
    <name>TileGrid</name>
    <message>
        <location filename="../../ui/board/tiles.py" line="93" />
        <source>Bay board</source>
        <translation>Platsöversikt</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="176" />
        <source>No bays yet. Add a charger under Chargers to see its bays here.</source>
        <translation>Inga platser ännu. Lägg till en laddare under Laddare så syns dess platser här.</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="322" />
        <source>Free</source>
        <translation>Ledig</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="330" />
        <source>Tap a card at the bay, or start a guest session</source>
        <translation>Blippa ett kort vid platsen eller starta en gästladdning</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="332" />
        <source>waiting {0}</source>
        <translation>väntar {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="337" />
        <source>Charger fault: {0}</source>
        <translation>Fel i laddaren: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="339" />
        <source>car plugged in {0}</source>
        <translation>bil inkopplad {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="349" />
        <source>No answer from the charger</source>
        <translation>Inget svar från laddaren</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="351" />
        <source>Out of order</source>
        <translation>Ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="377" />
        <source>plugged {0}</source>
        <translation>inkopplad {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="379" />
        <source>charged {0}</source>
        <translation>laddat {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="381" />
        <source>idle {0}</source>
        <translation>tomgång {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="393" />
        <source>≈ {0}</source>
        <translation>≈ {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="395" />
        <source>ends ~{0}</source>
        <translation>klar ~{0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="398" />
        <source>car done, blocking the bay</source>
        <translation>bilen klar, blockerar platsen</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="475" />
        <source>Card {0} tapped: plug in to start</source>
        <translation>Kort {0} visat: koppla in bilen för att starta</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="479" />
        <source>Car plugged in, no card yet</source>
        <translation>Bil inkopplad, inget kort än</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="481" />
        <source>Session ended</source>
        <translation>Laddningen avslutad</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="482" />
        <source>No session</source>
        <translation>Ingen laddning</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="473" />
        <source>Guest</source>
        <translation>Gäst</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="415" />
        <source>offline</source>
        <translation>nere</translation>
    </message>
</context>
<context>
    <name>_BudgetEditor</name>
    <message>
        <location filename="../../ui/cards/dialog.py" line="348" />
        <location filename="../../ui/cards/dialog.py" line="371" />
        <source>daily</source>
        <translation>per dag</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="349" />
        <location filename="../../ui/cards/dialog.py" line="371" />
        <source>monthly</source>
        <translation>per månad</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="352" />
        <source>money</source>
        <translation>pengar</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="354" />
        <source>limit</source>
        <translation>gräns</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="355" />
        <source>Add</source>
        <translation>Lägg till</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="356" />
        <source>Remove</source>
        <translation>Ta bort</translation>
    </message>
    <message>
        <location filename="../../ui/cards/dialog.py" line="374" />
        <source>{0} (group)</source>
        <translation>{0} (grupp)</translation>
    </message>
</context>
<context>
    <name>_OwnerPage</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="91" />
        <source>The owner's account</source>
        <translation>Ägarens konto</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="94" />
        <source>The owner configures chargers, tariffs, cards and operators. From now on the app asks for a login.</source>
        <translation>Ägaren konfigurerar laddare, taxor, kort och operatörer. Från och med nu kräver appen inloggning.</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="117" />
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="118" />
        <source>Your name</source>
        <translation>Ditt namn</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="119" />
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="120" />
        <source>Password again</source>
        <translation>Lösenord igen</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="123" />
        <source>At least {0} characters.</source>
        <translation>Minst {0} tecken.</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="128" />
        <source>The two passwords differ.</source>
        <translation>De två lösenorden skiljer sig åt.</translation>
    </message>
</context>
<context>
    <name>_SellerPage</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="59" />
        <source>The seller</source>
        <translation>Säljaren</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="62" />
        <source>Receipts and invoices name the seller: name, organisation number, address and VAT number. No receipt is numbered before they are set.</source>
        <translation>Kvitton och fakturor anger säljaren: namn, organisationsnummer, adress och momsregistreringsnummer. Inget kvitto numreras innan de är angivna.</translation>
    </message>
</context>
<context>
    <name>_SitePage</name>
    <message>
        <location filename="../../ui/access/wizard.py" line="42" />
        <source>Welcome</source>
        <translation>Välkommen</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="43" />
        <source>Name this charging site. Receipts show the name too.</source>
        <translation>Namnge laddplatsen. Kvittona visar också namnet.</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="46" />
        <source>e.g. Brf Solrosen garage</source>
        <translation>t.ex. Brf Solrosens garage</translation>
    </message>
    <message>
        <location filename="../../ui/access/wizard.py" line="49" />
        <source>Site name</source>
        <translation>Platsens namn</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>You may not do this with your role.</source>
        <translation type="vanished">Din roll får inte göra detta.</translation>
    </message>
    <message>
        <source>The site engine is not running.</source>
        <translation type="vanished">Platsens motor körs inte.</translation>
    </message>
    <message>
        <source>Could not do that</source>
        <translation>Det gick inte</translation>
    </message>
    <message>
        <source>Start a guest session</source>
        <translation>Starta en gästladdning</translation>
    </message>
    <message>
        <source>Bay {0}: why is this session started without a card?</source>
        <translation>Plats {0}: varför startas laddningen utan kort?</translation>
    </message>
    <message>
        <source>Reason needed</source>
        <translation>Orsak behövs</translation>
    </message>
    <message>
        <source>A guest session needs a reason (it is kept with the session).</source>
        <translation>En gästladdning behöver en orsak (den sparas med laddningen).</translation>
    </message>
    <message>
        <source>Guest session on {0}: the car may charge now</source>
        <translation>Gästladdning på {0}: bilen får ladda nu</translation>
    </message>
    <message>
        <source>Stop the session</source>
        <translation>Stoppa laddningen</translation>
    </message>
    <message>
        <source>Stop the session on bay {0}? The car stops charging.</source>
        <translation>Stoppa laddningen på plats {0}? Bilen slutar ladda.</translation>
    </message>
    <message>
        <source>Session on {0} stopped</source>
        <translation>Laddningen på {0} stoppad</translation>
    </message>
    <message>
        <source>Bay {0} is out of order</source>
        <translation>Plats {0} är ur drift</translation>
    </message>
    <message>
        <source>Bay {0} is back in service</source>
        <translation>Plats {0} är i drift igen</translation>
    </message>
    <message>
        <source>Faults on {0} acknowledged</source>
        <translation>Fel på {0} kvitterade</translation>
    </message>
</context>
<context>
    <name>alerts</name>
    <message>
        <location filename="../../ui/board/extras.py" line="22" />
        <source>Session overrun</source>
        <translation>Laddning drar över tiden</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="23" />
        <source>Charging stalled</source>
        <translation>Laddningen står still</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="24" />
        <source>Bay blocked</source>
        <translation>Platsen blockeras</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="25" />
        <source>Charger fault</source>
        <translation>Fel i laddare</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="26" />
        <source>Charger not answering</source>
        <translation>Laddaren svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/board/extras.py" line="27" />
        <source>Card denied repeatedly</source>
        <translation>Kort nekat upprepade gånger</translation>
    </message>
</context>
<context>
    <name>fmt</name>
    <message>
        <location filename="../../ui/fmt.py" line="56" />
        <source>{0}d {1:02d}:{2:02d}</source>
        <translation>{0} d {1:02d}:{2:02d}</translation>
    </message>
</context>
<context>
    <name>notice</name>
    <message>
        <location filename="../../ui/board/notices.py" line="17" />
        <source>blocked</source>
        <translation>spärrat</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="18" />
        <source>card group blocked</source>
        <translation>kortgruppen spärrad</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="19" />
        <source>not allowed at this bay</source>
        <translation>inte tillåtet på den här platsen</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="20" />
        <source>already charging elsewhere</source>
        <translation>laddar redan på annan plats</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="21" />
        <source>bay is busy</source>
        <translation>platsen är upptagen</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="22" />
        <source>bay is out of order</source>
        <translation>platsen är ur drift</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="23" />
        <source>charger does not answer</source>
        <translation>laddaren svarar inte</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="41" />
        <source>Unknown card {0}</source>
        <translation>Okänt kort {0}</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="44" />
        <source>Card {0} refused: {1}</source>
        <translation>Kort {0} nekat: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/board/notices.py" line="45" />
        <source>Card refused: {0}</source>
        <translation>Kortet nekat: {0}</translation>
    </message>
</context>
<context>
    <name>offer</name>
    <message>
        <location filename="../../ui/offer.py" line="21" />
        <source>Not for your role (allowed for: {0})</source>
        <translation>Inte för din roll (tillåtet för: {0})</translation>
    </message>
</context>
<context>
    <name>pages</name>
    <message>
        <location filename="../../ui/access/page.py" line="27" />
        <source>Audit log</source>
        <translation>Granskningslogg</translation>
    </message>
    <message>
        <location filename="../../ui/reports/alerts_page.py" line="223" />
        <source>Alerts</source>
        <translation>Larm</translation>
    </message>
    <message>
        <location filename="../../ui/reports/capacity_page.py" line="386" />
        <source>Capacity</source>
        <translation>Beläggning</translation>
    </message>
    <message>
        <location filename="../../ui/billing/page.py" line="37" />
        <source>Billing</source>
        <translation>Fakturering</translation>
    </message>
</context>
<context>
    <name>price</name>
    <message>
        <location filename="../../ui/history/detail.py" line="279" />
        <source>Energy</source>
        <translation>Energi</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="280" />
        <source>Time</source>
        <translation>Tid</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="281" />
        <source>Start fee</source>
        <translation>Startavgift</translation>
    </message>
    <message>
        <location filename="../../ui/history/detail.py" line="282" />
        <source>Idle fee</source>
        <translation>Tomgångsavgift</translation>
    </message>
</context>
<context>
    <name>receipt</name>
    <message>
        <location filename="../../ui/history/receipt.py" line="34" />
        <source>Open</source>
        <translation>Öppna</translation>
    </message>
    <message>
        <location filename="../../ui/history/receipt.py" line="54" />
        <source>Save receipt</source>
        <translation>Spara kvitto</translation>
    </message>
    <message>
        <location filename="../../ui/history/receipt.py" line="69" />
        <source>Receipt {0} ({1}) saved to {2}</source>
        <translation>Kvitto {0} ({1}) sparat i {2}</translation>
    </message>
    <message>
        <location filename="../../ui/history/receipt.py" line="92" />
        <source>Receipt {0} ({1}) sent to {2}</source>
        <translation>Kvitto {0} ({1}) skickat till {2}</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <location filename="../../ui/access/words.py" line="10" />
        <source>owner</source>
        <translation>ägare</translation>
    </message>
    <message>
        <location filename="../../ui/access/words.py" line="11" />
        <source>attendant</source>
        <translation>skötare</translation>
    </message>
    <message>
        <location filename="../../ui/access/words.py" line="12" />
        <source>accountant</source>
        <translation>ekonomiansvarig</translation>
    </message>
</context>
<context>
    <name>session</name>
    <message>
        <location filename="../../ui/access/session.py" line="57" />
        <source>Demo owner (demo site, no login)</source>
        <translation>Demoägare (demoplats, ingen inloggning)</translation>
    </message>
    <message>
        <location filename="../../ui/access/session.py" line="111" />
        <source>&amp;Session</source>
        <translation>&amp;Pass</translation>
    </message>
    <message>
        <location filename="../../ui/access/session.py" line="117" />
        <source>Change password…</source>
        <translation>Byt lösenord…</translation>
    </message>
    <message>
        <location filename="../../ui/access/session.py" line="119" />
        <source>Operators…</source>
        <translation>Operatörer…</translation>
    </message>
</context>
<context>
    <name>status</name>
    <message>
        <location filename="../../ui/board/tiles.py" line="62" />
        <source>Available</source>
        <translation>Ledig</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="63" />
        <source>Waiting for card</source>
        <translation>Väntar på kort</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="64" />
        <source>Charging</source>
        <translation>Laddar</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="65" />
        <source>Paused by car</source>
        <translation>Pausad av bilen</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="66" />
        <source>Paused by charger</source>
        <translation>Pausad av laddaren</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="67" />
        <source>Finished – idle</source>
        <translation>Klar – står kvar</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="68" />
        <source>Faulted</source>
        <translation>Fel</translation>
    </message>
    <message>
        <location filename="../../ui/board/tiles.py" line="69" />
        <source>Unavailable</source>
        <translation>Ej tillgänglig</translation>
    </message>
</context>
<context>
    <name>words</name>
    <message>
        <source>card tapped again</source>
        <translation type="vanished">kortet visades igen</translation>
    </message>
    <message>
        <source>stopped by an attendant</source>
        <translation type="vanished">stoppad av personal</translation>
    </message>
    <message>
        <source>car unplugged</source>
        <translation type="vanished">bilen urkopplad</translation>
    </message>
    <message>
        <source>power loss (closed at start-up)</source>
        <translation type="vanished">strömavbrott (stängd vid start)</translation>
    </message>
    <message>
        <source>charger restarted</source>
        <translation type="vanished">laddaren startade om</translation>
    </message>
    <message>
        <source>charger reset</source>
        <translation type="vanished">laddaren återställd</translation>
    </message>
    <message>
        <source>card no longer valid</source>
        <translation type="vanished">kortet gäller inte längre</translation>
    </message>
    <message>
        <source>emergency stop</source>
        <translation type="vanished">nödstopp</translation>
    </message>
    <message>
        <source>connector unlocked</source>
        <translation type="vanished">kontakten upplåst</translation>
    </message>
    <message>
        <source>other (see detail)</source>
        <translation type="vanished">annat (se detalj)</translation>
    </message>
    <message>
        <location filename="../../ui/words.py" line="11" />
        <source>the car</source>
        <translation>bilen</translation>
    </message>
    <message>
        <location filename="../../ui/words.py" line="12" />
        <source>stationmgr</source>
        <translation>stationmgr</translation>
    </message>
    <message>
        <location filename="../../ui/words.py" line="13" />
        <source>an attendant</source>
        <translation>personal</translation>
    </message>
</context>
</TS>