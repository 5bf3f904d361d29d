// Preloaded (NODE_OPTIONS=--require) into `node-red-dev validate`: answers its download of the
// Flow Library catalogue with a local copy, so the check runs without internet.
'use strict';

const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const CATALOGUE_URL = 'https://catalogue.nodered.org/catalogue.json';
const catalogue = JSON.parse(fs.readFileSync(path.join(__dirname, 'catalogue.json'), 'utf8'));

const load = Module._load;
Module._load = function (request) {
  const exported = load.apply(this, arguments);
  if (request === 'axios' && exported && typeof exported.get === 'function' && !exported.__offlineCatalogue) {
    const get = exported.get.bind(exported);
    exported.get = (url, config) =>
      url === CATALOGUE_URL ? Promise.resolve({ status: 200, data: catalogue }) : get(url, config);
    exported.__offlineCatalogue = true;
  }
  return exported;
};
