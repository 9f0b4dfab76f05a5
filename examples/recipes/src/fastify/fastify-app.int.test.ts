import { describeRecipe } from '../test-support/recipe-contract.js';
import { startFastifyApp } from './fastify-app.js';

describeRecipe('Fastify', startFastifyApp);
