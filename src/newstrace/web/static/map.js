// The events map: Natural Earth country borders (world-atlas, shipped with the package)
// as the base layer, no tile server, and one marker per place whose popup lists the events
// reported there, each linking to its sentence. Event fields are article-derived and
// untrusted: popups are built with DOM nodes and textContent, never HTML strings.
"use strict";

(() => {
  const box = document.getElementById("map");
  const data = document.getElementById("event-data");
  if (!box || !data || !window.L) {
    return;
  }
  const events = JSON.parse(data.textContent);
  box.hidden = false;
  document.querySelector(".map-fallback")?.remove();
  const map = L.map(box, { worldCopyJump: true, minZoom: 2, maxZoom: 12 });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Borders: Natural Earth");

  const borders = window.newstraceCountries;
  if (window.topojson && borders) {
    L.geoJSON(topojson.feature(borders, borders.objects.countries), {
      interactive: false,
      style: { color: "#8a8f98", weight: 1, fillColor: "#eef0f2", fillOpacity: 1 },
    }).addTo(map);
  }

  const element = (tag, text, className) => {
    const el = document.createElement(tag);
    if (text !== undefined) {
      el.textContent = text;
    }
    if (className) {
      el.className = className;
    }
    return el;
  };

  const popup = (place, found) => {
    const root = element("div", undefined, "event-popup");
    root.append(element("h3", place || "unnamed place"));
    const list = element("ol");
    for (const e of found) {
      const item = element("li");
      const kind = e.tally ? `tally · ${e.type}` : e.type;
      item.append(element("strong", kind));
      if (e.sub) {
        item.append(` · ${e.sub}`);
      }
      const killed = e.fatalities === null ? "killed: unknown" : `killed: ${e.fatalities}`;
      item.append(element("div", `${e.date} · ${killed}`));
      const link = element("a", `the sentence in ${e.source}`);
      link.href = e.href;
      item.append(link);
      list.append(item);
    }
    root.append(list);
    return root;
  };

  const places = new Map();
  for (const e of events) {
    const key = `${e.lat},${e.lon}`;
    if (!places.has(key)) {
      places.set(key, []);
    }
    places.get(key).push(e);
  }
  const markers = [];
  for (const found of places.values()) {
    const { lat, lon, place } = found[0];
    const label = element("span", String(found.length));
    const icon = L.divIcon({ className: "event-marker", html: label, iconSize: [26, 26] });
    const title = `${place || "unnamed place"}: ${found.length} event${found.length === 1 ? "" : "s"}`;
    const marker = L.marker([lat, lon], { icon, title, alt: title, keyboard: true, riseOnHover: true });
    marker.bindPopup(() => popup(place, found), { maxHeight: 320 });
    markers.push(marker.addTo(map));
  }
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds().pad(0.3), { maxZoom: 7 });
  } else {
    map.setView([30, 20], 2);
  }
})();
